"""Scoring tests need no app: only the repository root on ``sys.path``, and builders
of rating inputs (factory fixtures returning callables)."""
import sys
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from scoring.rating.types import PeriodInput, PersonInput, ProductResult  # noqa: E402

FULL_GENERAL = {"I.1": Fraction(5), "I.2": Fraction(5),
                **{f"{g}.{i}": Fraction(5, 2) for g in ("II", "III") for i in range(1, 5)}}


@pytest.fixture
def general():
    """general(**{"III.3": 0}) → the official form's codes at full marks (30), overridden."""
    def build(changes=None):
        return {**FULL_GENERAL, **{k: Fraction(v) for k, v in (changes or {}).items()}}
    return build


@pytest.fixture
def product():
    """product(target, accepted, ...) → a delivered, on-time ProductResult by default."""
    counter = iter(range(1, 10_000))

    def build(target=1, accepted=None, **kw):
        kw.setdefault("delivered", True)
        kw.setdefault("on_time", True)
        kw.setdefault("task_id", f"t{next(counter)}")
        return ProductResult(target=Fraction(target), accepted=Fraction(target if accepted is None else accepted), **kw)
    return build


@pytest.fixture
def period(general, product):
    """period("2026-Q1", general_points=..., products=...) with full marks and one
    fully completed product by default (score 100)."""
    def build(label="2026-Q1", **kw):
        kw.setdefault("general_points", general())
        kw.setdefault("products", (product(),))
        return PeriodInput(period=label, **kw)
    return build


@pytest.fixture
def person():
    """person("id", periods=..., **fields): a civil servant of unit "u", group "g"."""
    def build(pid, **kw):
        kw.setdefault("name", pid)
        kw.setdefault("category", "civil_servant")
        kw.setdefault("rating_unit", "u")
        kw.setdefault("quota_group", "g")
        return PersonInput(person_id=pid, **kw)
    return build


@pytest.fixture
def scored(person):
    """scored("id", 95): a person whose single 2026 period was imported at that score."""
    def build(pid, score, year=2026, **kw):
        kw.setdefault("periods", (PeriodInput(period=f"{year}-Q1", imported_score=Fraction(score)),))
        return person(pid, **kw)
    return build
