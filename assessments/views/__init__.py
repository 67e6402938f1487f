"""The pages, one module per area; `assessments/urls.py` maps addresses to them.

A view loads what the user may see (`access.py`: an outsider gets 404, a client viewer 403
on anything that manages), hands a form's data to a service (`services/`) or asks a selector
(`selectors/`) and renders the result. Views never write rows themselves:
`tests/views/test_no_writes_in_views.py` reads every module here to hold that.
"""
