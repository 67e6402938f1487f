"""One rounding rule for every figure people read (assessments/formatting.py)."""

from __future__ import annotations

import pytest
from django.template.defaultfilters import floatformat

from assessments.formatting import places, signed


@pytest.mark.parametrize(
    ("value", "two", "one"),
    [(1.765, "1.77", "1.8"), (1.005, "1.01", "1.0"), (0.25, "0.25", "0.3"), (2.0, "2.00", "2.0")],
)
def test_places_rounds_the_decimal_people_read_half_up_like_the_templates(value, two, one):
    # f"{1.765:.2f}" is "1.76": a chart label would disagree with the table beside it.
    assert places(value) == two == floatformat(value, 2)
    assert places(value, 1) == one == floatformat(value, 1)


def test_no_negative_zero_and_signs_always_written():
    assert places(-0.001) == "0.00"
    assert (signed(1.009), signed(-0.3), signed(0.0), signed(-0.001)) == (
        "+1.01",
        "-0.30",
        "+0.00",
        "+0.00",
    )
