"""Exact parsing and display rounding."""
from decimal import Decimal
from fractions import Fraction as F

import pytest

from scoring.numbers import format_decimal, round_half_up, to_fraction


@pytest.mark.parametrize("value, expected", [("1/3", F(1, 3)), (" 0.5 ", F(1, 2)), (2, F(2)),
                                             (Decimal("2.5"), F(5, 2)), (F(7, 3), F(7, 3))])
def test_to_fraction(value, expected):
    assert to_fraction(value) == expected


@pytest.mark.parametrize("value", [0.5, True, None, "abc", "1/0", Decimal("NaN"), Decimal("Infinity"), [1]])
def test_to_fraction_refuses_inexact_and_junk(value):
    with pytest.raises(ValueError):
        to_fraction(value)


@pytest.mark.parametrize("value, vi, en", [
    (F(177, 2), "88,50", "88.50"),
    (F(8825, 100) - F(1, 400), "88,25", "88.25"),   # 88.2475 → 88.25
    (F(88125, 1000), "88,13", "88.13"),              # a half goes up
    (F(257, 3), "85,67", "85.67"),                   # 85.666… → 85.67
    (F(-1, 200), "-0,01", "-0.01"),                  # halves away from zero
    (F(70), "70,00", "70.00"),
])
def test_format_decimal(value, vi, en):
    assert format_decimal(value, "vi") == vi
    assert format_decimal(value, "en") == en


def test_round_half_up():
    assert round_half_up(F(1, 8), 2) == F(13, 100)   # 0.125 → 0.13
    assert round_half_up(F(1, 3), 0) == 0
