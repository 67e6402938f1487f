"""Every write of the application: keyword-only functions, each in one transaction.

A view, a command or an import calls a service and renders what it returns or the
`errors.Refused` it raises; nothing else saves, creates, updates or deletes a row
(`tests/views/test_no_writes_in_views.py` reads every view module to hold that).
docs/architecture.md lists which module holds which write.
"""
