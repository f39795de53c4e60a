"""Jinja filters and globals: local time (dd/mm/yyyy), exact scores and numbers with the
locale's separators (decimal comma in Vietnamese, DECISIONS 23), labels."""
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from flask import current_app
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

import labels
from accounts.permissions import has_role


def _exact(value) -> Fraction:
    """A Fraction of ``value``; a float through its shortest decimal text (0.1 is 1/10)."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _half_up(value: Fraction, places: int) -> int:
    """``value`` × 10^places rounded half away from zero (RULES §4a)."""
    scaled = value * 10 ** places
    return int(scaled + Fraction(1, 2)) if scaled >= 0 else -int(-scaled + Fraction(1, 2))


def format_score(value, places: int = 2) -> str:
    """An exact score rounded half-up to ``places`` decimals (RULES §4a), decimal comma in vi."""
    if value is None:
        return "—"
    value = Fraction(value)
    rounded = _half_up(value, places)
    text = f"{rounded / 10 ** places:.{places}f}" if places else str(rounded)
    if str(get_locale()) == "vi":
        text = text.replace(".", ",")
    return text


def format_percent(value, places: int = 1) -> str:
    return "—" if value is None else format_score(Fraction(value) * 100, places) + " %"


def format_number(value, places: int | None = None) -> str:
    """A number with the locale's separators (DECISIONS 23): "1.490.000" and "2,5" in vi,
    "1,490,000" and "2.5" in en.  ``places``: exactly that many decimals, rounded half-up;
    None: the decimals the value has, up to three.  For counts, amounts in VND, quantities."""
    if value is None:
        return "—"
    exact = _exact(value)
    if places is None:
        places = next((p for p in range(4) if (exact * 10 ** p).denominator == 1), 3)
    number = Decimal(_half_up(exact, places)).scaleb(-places)
    return format_decimal(number, format="#,##0" + ("." + "0" * places if places else ""))


def local_dt(value: datetime | None, fmt: str = "dd/MM/yyyy HH:mm") -> str:
    return "" if value is None else format_datetime(value, fmt)


def local_date(value, fmt: str = "dd/MM/yyyy") -> str:
    return "" if value is None else format_date(value, fmt)


def register(app) -> None:
    app.jinja_env.filters.update(score=format_score, percent=format_percent, dt=local_dt, d=local_date,
                                 num=format_number)

    @app.context_processor
    def inject():
        return {
            "labels": labels,
            "has_role": lambda *roles: current_user.is_authenticated and has_role(current_user, *roles),
            "current_locale": str(get_locale()),
            "languages": current_app.config["LANGUAGES"],
        }
