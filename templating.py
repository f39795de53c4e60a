"""Jinja filters and globals: local time, exact scores with a decimal comma, labels."""
from datetime import datetime
from fractions import Fraction

from flask import current_app
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

import labels
from accounts.permissions import has_role


def format_score(value, places: int = 2) -> str:
    """An exact score rounded half-up to ``places`` decimals (RULES §4a), decimal comma in vi."""
    if value is None:
        return "—"
    value = Fraction(value)
    scaled = value * 10 ** places
    rounded = int(scaled + Fraction(1, 2)) if scaled >= 0 else -int(-scaled + Fraction(1, 2))
    text = f"{rounded / 10 ** places:.{places}f}" if places else str(rounded)
    if str(get_locale()) == "vi":
        text = text.replace(".", ",")
    return text


def format_percent(value, places: int = 1) -> str:
    return "—" if value is None else format_score(Fraction(value) * 100, places) + " %"


def local_dt(value: datetime | None, fmt: str = "dd/MM/yyyy HH:mm") -> str:
    return "" if value is None else format_datetime(value, fmt)


def local_date(value, fmt: str = "dd/MM/yyyy") -> str:
    return "" if value is None else format_date(value, fmt)


def register(app) -> None:
    app.jinja_env.filters.update(score=format_score, percent=format_percent, dt=local_dt, d=local_date)

    @app.context_processor
    def inject():
        return {
            "labels": labels,
            "has_role": lambda *roles: current_user.is_authenticated and has_role(current_user, *roles),
            "current_locale": str(get_locale()),
            "languages": current_app.config["LANGUAGES"],
        }
