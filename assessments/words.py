"""The product's own words for the answers every bank shares, in the reader's language
(lazy: each use reads the language active then). `vocabulary.py` keeps the English keys
that files and the rules use; these are what people read (docs/methodology.md, "Who
decides")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The two non-answers, and who decides: in full on the survey, in a word (`DECISION_TAP`) on
# the phone's decision grid and in the decision matrix of the dashboard, the PDF and the deck.
NA_LABEL = _("Does not apply to us")
NA_OR_UNSURE_LABEL = _("Does not apply to us / I can't say")  # where Don't know is not offered
DK_LABEL = _("I don't know")
NA_SHORT = _("N/A")
DK_SHORT = _("Don't know")
DECISION_TEXT = {
    "it": _("IT"),
    "ot": _("OT (the plant, engineering, maintenance)"),
    "joint": _("IT and OT together"),
    "vendor": _("A vendor or service provider"),
    "nobody": _("Nobody: it is not decided"),
}
DECISION_TAP = {
    "it": _("IT"),
    "ot": _("OT"),
    "joint": _("Together"),
    "vendor": _("Vendor"),
    "nobody": _("Nobody"),
}
