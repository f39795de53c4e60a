"""Exact answer fractions and marks.

Moodle stores an answer's grade as a rounded decimal from a fixed list
(``question_bank::fraction_options_full()``: 100 %, 90 %, 83.33333 %, 80 %, 75 %, 70 %,
66.66667 %, 60 %, 50 %, 40 %, 33.33333 %, 30 %, 25 %, 20 %, 16.66667 %, 14.28571 %, 12.5 %,
11.11111 %, 10 %, 5 %, 0 and their negatives).  On import Moodle refuses a grade that is not
within 0.00001 of one of them ("Grades (…) do not match grade options - question skipped",
``match_grade_options`` in lib/questionlib.php); we do the same and store the exact value
("0.3333333" → "1/3"), per docs/question-payload.md.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

_POSITIVE = [Fraction(1), Fraction(9, 10), Fraction(5, 6), Fraction(4, 5), Fraction(3, 4),
             Fraction(7, 10), Fraction(2, 3), Fraction(3, 5), Fraction(1, 2), Fraction(2, 5),
             Fraction(1, 3), Fraction(3, 10), Fraction(1, 4), Fraction(1, 5), Fraction(1, 6),
             Fraction(1, 7), Fraction(1, 8), Fraction(1, 9), Fraction(1, 10), Fraction(1, 20)]
MOODLE_GRADES = [*_POSITIVE, Fraction(0), *(-g for g in _POSITIVE)]
_TOLERANCE = Fraction(1, 100000)


def parse_decimal(text) -> Decimal | None:
    """A finite decimal number ('0.3333333', '-50', '1,5'); None if not one."""
    try:
        number = Decimal(str(text).strip().replace(",", "."))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def parse_number(text) -> Fraction | None:
    """A decimal number as an exact Fraction; None if not one."""
    number = parse_decimal(text)
    return None if number is None else Fraction(number)


def moodle_grade(value: Fraction) -> Fraction | None:
    """The grade-list fraction within 0.00001 of ``value`` (a fraction of 1), else None."""
    for grade in MOODLE_GRADES:
        if abs(grade - value) < _TOLERANCE:
            return grade
    return None


def fraction_str(value: Fraction) -> str:
    """'1', '0.5', '-0.25' for terminating decimals, '1/3', '-5/6' otherwise."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    return decimal_str(Decimal(value.numerator) / Decimal(value.denominator))


def decimal_str(value) -> str:
    """A plain decimal without exponent or trailing zeros: '1.3000000' → '1.3', '2.0' → '2'."""
    number = Decimal(str(value))
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def mark_str(text, default: str = "1") -> str:
    """A default mark from a file ('1.0000000', '2') as a decimal string; ``default`` if bad."""
    number = parse_number(text)
    if number is None or number < 0:
        return default
    return decimal_str(Decimal(number.numerator) / Decimal(number.denominator)) \
        if number.denominator != 1 else str(number.numerator)


def penalty_str(text, default: str = "1/3") -> str:
    """A penalty (a fraction of the mark) mapped to the grade list where it matches."""
    number = parse_number(text)
    if number is None or not 0 <= number <= 1:
        return default
    return fraction_str(moodle_grade(number) if moodle_grade(number) is not None else number)


def key_fractions(count: int, correct: set[int]) -> list[str]:
    """Fractions for options keyed by position (spreadsheets, Aiken, QTI, CSV).

    One key: that option "1", the rest "0".  Several keys: each correct option 1/k and each
    wrong one "-1", the nearest a multiple-response question comes to "all or nothing" (any
    wrong choice takes the score to 0; Moodle's qformat_csv imports such rows as
    qtype_multichoiceset, all-or-nothing).
    """
    if len(correct) <= 1:
        return ["1" if i in correct else "0" for i in range(count)]
    share = fraction_str(Fraction(1, len(correct)))
    return [share if i in correct else "-1" for i in range(count)]
