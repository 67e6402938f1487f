"""How a figure is written for people: one rule for every page, chart, PDF and deck.

Scores are rounded to three decimals by the scoring rules (docs/methodology.md); pages show
two. Rounding a float with Python's format (``f"{1.765:.2f}"`` is "1.76", because 1.765 is
stored as 1.76499...) and with Django's ``floatformat`` (which rounds the decimal a person
reads, half up: "1.77") would show the same score two ways, in a chart and in the table beside
it. Everything written here rounds like ``floatformat``, and writes the decimal separator of
the language being spoken, like ``floatformat`` ("1,40" in German).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import get_format
from django.utils.translation import gettext as _


def places(value: float, digits: int = 2) -> str:
    """`value` with `digits` decimals, rounded half up from the decimal people read."""
    step = Decimal(1).scaleb(-digits)
    rounded = Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP)
    text = f"{rounded:f}".replace(".", get_format("DECIMAL_SEPARATOR"))
    return text[1:] if text.startswith("-") and rounded == 0 else text  # no "-0.00"


def signed(value: float, digits: int = 2) -> str:
    """`places` with its sign always written: "+1.01", "-0.30", "+0.00"."""
    text = places(value, digits)
    return text if text.startswith("-") else f"+{text}"


def share(value: float) -> str:
    """A share as a whole percentage: "42%" in English, "42 %" in German."""
    return _("%(number)s%%") % {"number": f"{value:.0%}"[:-1]}
