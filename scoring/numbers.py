"""Exact numbers: parsing to :class:`fractions.Fraction` and display rounding.

Scores are never binary floats (DECISIONS.md 8); a level is banded on the unrounded
value and only the shown value is rounded, half-up to 2 decimals (RULES.md §4a).
"""
from fractions import Fraction
from decimal import Decimal
from numbers import Rational

DECIMAL_MARK = {"vi": ",", "en": "."}


def to_fraction(value, what: str = "value") -> Fraction:
    """``value`` (Fraction, int, Decimal, or a string ``Fraction()`` accepts: "1/3", "0.5") as a Fraction.

    Raises ValueError for floats, booleans, None and unparsable strings: a float has
    already lost exactness, so it is refused rather than converted.
    """
    if isinstance(value, bool) or value is None or isinstance(value, float):
        raise ValueError(f"{what}: expected an exact number, got {value!r}")
    try:
        if isinstance(value, (Rational, Decimal)):
            return Fraction(value)
        if isinstance(value, str):
            return Fraction(value.strip())
    except (ValueError, ZeroDivisionError, OverflowError):
        pass
    raise ValueError(f"{what}: not an exact number: {value!r}")


def round_half_up(value: Fraction, places: int = 2) -> Fraction:
    """``value`` rounded to ``places`` decimals, halves away from zero (88.125 → 88.13)."""
    scale = 10 ** places
    magnitude = (abs(value) * scale * 2 + 1) // 2
    return Fraction(int(magnitude) * (1 if value >= 0 else -1), scale)


def format_decimal(value: Fraction, lang: str = "vi", places: int = 2) -> str:
    """Display string with ``places`` decimals, decimal comma in Vietnamese ("88,50")."""
    rounded = round_half_up(Fraction(value), places)
    scale = 10 ** places
    units = abs(rounded.numerator * scale // rounded.denominator)
    sign = "-" if rounded < 0 else ""
    whole, part = divmod(units, scale)
    if places == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}{DECIMAL_MARK.get(lang, '.')}{part:0{places}d}"
