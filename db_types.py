"""Column types and time helpers shared by every feature's models."""
from datetime import datetime, timezone
from fractions import Fraction

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Aware UTC now; every timestamp is stored in UTC (DECISIONS.md 17)."""
    return datetime.now(timezone.utc)


class FractionType(TypeDecorator):
    """An exact rational stored as text ``"176/3"`` (DECISIONS.md 8: scores are Fractions).

    Reads back as :class:`fractions.Fraction`; accepts Fraction, int or a string that
    ``Fraction()`` parses.  Not meant for ordering in SQL: sort in Python.
    """

    impl = String
    cache_ok = True

    def __init__(self, length: int = 64, **kwargs):
        super().__init__(length=length, **kwargs)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return str(Fraction(value))

    def process_result_value(self, value, dialect):
        return None if value is None else Fraction(value)


class UTCDateTime(TypeDecorator):
    """A timestamp stored naive in UTC and returned aware (SQLite keeps no zone)."""

    from sqlalchemy import DateTime as _DateTime

    impl = _DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use db_types.utcnow()")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)
