"""Inputs and outputs of the rating engine: frozen dataclasses, exact Fractions.

All input classes are keyword-only. Numbers given as int or as strings ``Fraction()``
accepts are converted to Fraction on construction; floats are refused (ValueError).
"""
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from scoring.numbers import to_fraction


class Level(StrEnum):
    """Quality levels (RULES.md §2); NOT_RATED where the rules exclude a person."""

    EXCELLENT = "EXCELLENT"
    GOOD = "GOOD"
    COMPLETED = "COMPLETED"
    NOT_COMPLETED = "NOT_COMPLETED"
    NOT_RATED = "NOT_RATED"


RANK = {Level.NOT_COMPLETED: 1, Level.COMPLETED: 2, Level.GOOD: 3, Level.EXCELLENT: 4}


def at_least(level: Level, floor: Level) -> bool:
    """True when ``level`` is ``floor`` or better (NOT_RATED is never at least anything)."""
    return RANK.get(level, 0) >= RANK[floor]


class StaffCategory(StrEnum):
    CIVIL_SERVANT = "civil_servant"
    PUBLIC_EMPLOYEE = "public_employee"
    CADRE = "cadre"


def _exact(obj, *names, optional=False):
    for name in names:
        value = getattr(obj, name)
        if type(value) is Fraction or (value is None and optional):   # already exact (the common case)
            continue
        object.__setattr__(obj, name, to_fraction(value, f"{type(obj).__name__}.{name}"))


def _share(obj, *names):
    for name in names:
        value = getattr(obj, name)
        if value is not None and not 0 <= value <= 1:
            raise ValueError(f"{type(obj).__name__}.{name} = {value} outside [0, 1]")


@dataclass(frozen=True, kw_only=True)
class ProductResult:
    """One task's verified product in one period (DECISIONS.md 2).

    ``target`` in the task's unit of measure (> 0), ``factor`` the conversion to standard
    products (Decree 335 "sản phẩm quy đổi"), ``accepted`` the verified quantity.
    ``quality_failures`` / ``delays`` count only reviews failed / delays without an
    objective cause. ``on_time``: delivered by the deadline (used by nd90; nd335
    timeliness uses ``delays``). ``weight``: Vĩnh Phúc completion-rate weight, default
    target × factor. ``unit_target``: a target of the unit a leader heads (nd90 leaders).
    """

    task_id: str
    target: Fraction
    delivered: bool
    on_time: bool
    factor: Fraction = Fraction(1)
    accepted: Fraction = Fraction(0)
    quality_failures: int = 0
    delays: int = 0
    weight: Fraction | None = None
    unit_target: bool = False

    def __post_init__(self):
        _exact(self, "target", "factor", "accepted")
        _exact(self, "weight", optional=True)
        if self.target.numerator <= 0 or self.factor.numerator <= 0 or self.accepted.numerator < 0:
            raise ValueError(f"task {self.task_id}: target and factor must be > 0, accepted ≥ 0")
        if self.quality_failures < 0 or self.delays < 0:
            raise ValueError(f"task {self.task_id}: negative failure or delay count")


@dataclass(frozen=True, kw_only=True)
class PeriodInput:
    """One monitoring period (a month "2026-03" or a quarter "2026-Q1").

    ``general_points``: final points per criterion code of the official form ("I.1" …
    "III.4"). Leaders: ``org_capacity`` (đ), ``unity`` (e) and optionally ``unit_result``
    (d; derived from subordinates' period levels when None), shares in [0, 1].
    ``imported_score``: a period score brought from another agency on transfer
    (nd335 Art. 21), used as is.
    """

    period: str
    worked: bool = True
    general_points: dict = field(default_factory=dict)
    products: tuple = ()
    org_capacity: Fraction | None = None
    unity: Fraction | None = None
    unit_result: Fraction | None = None
    imported_score: Fraction | None = None

    def __post_init__(self):
        _exact(self, "org_capacity", "unity", "unit_result", "imported_score", optional=True)
        _share(self, "org_capacity", "unity", "unit_result")
        points = {code: v if type(v) is Fraction else to_fraction(v, f"{self.period} {code}")
                  for code, v in self.general_points.items()}
        object.__setattr__(self, "general_points", MappingProxyType(points))
        object.__setattr__(self, "products", tuple(self.products))


TEST_STATUSES = ("passed", "failed", "missed", "excused", "none")


@dataclass(frozen=True, kw_only=True)
class TestResult:
    """The year's official competency test: ``missed`` = without a valid reason (counts as
    failed), ``excused`` = missed with one (make-up pending), ``none`` = no result."""

    __test__ = False  # not a pytest test class

    status: str = "none"
    fraction: Fraction | None = None

    def __post_init__(self):
        if self.status not in TEST_STATUSES:
            raise ValueError(f"test status {self.status!r} not in {TEST_STATUSES}")
        _exact(self, "fraction", optional=True)
        _share(self, "fraction")


DISCIPLINE_FORMS = ("reprimand", "warning", "salary_step_reduction", "demotion", "removal", "dismissal")


@dataclass(frozen=True, kw_only=True)
class Discipline:
    """A Party or administrative discipline decision; ``for_degradation`` marks one
    imposed for degradation (nd233 Art. 14 cl. 3)."""

    form: str
    decided_on: date
    connected_with_duties: bool
    for_degradation: bool = False

    def __post_init__(self):
        if self.form not in DISCIPLINE_FORMS:
            raise ValueError(f"discipline form {self.form!r} not in {DISCIPLINE_FORMS}")


@dataclass(frozen=True, kw_only=True)
class PersonInput:
    """Everything the engine needs about one person for one rating year.

    ``manager_id``: the direct leader (bottom-up order). ``months_worked``: None = the
    whole year. ``leave_reason``: "maternity", "sick", "unpaid" … ``managed_unit_levels``:
    nd90 leaders' directly managed units (default: direct subordinates' levels).
    ``unit_level``: the level of the unit a head leads (nd233 Art. 12 cl. 7).
    ``corruption_self_reported``: the leader found, reported and remedied it (nd233).
    """

    person_id: str
    name: str
    category: StaffCategory
    rating_unit: str
    quota_group: str
    is_leader: bool = False
    manager_id: str | None = None
    periods: tuple = ()
    test: TestResult = TestResult()
    discipline: tuple = ()
    degradation: bool = False
    unit_corruption: bool = False
    corruption_self_reported: bool = False
    months_worked: Fraction | None = None
    leave_reason: str | None = None
    unit_has_nd233_regulation: bool = False
    managed_unit_levels: tuple | None = None
    unit_level: Level | None = None

    def __post_init__(self):
        object.__setattr__(self, "category", StaffCategory(self.category))
        object.__setattr__(self, "periods", tuple(self.periods))
        object.__setattr__(self, "discipline", tuple(self.discipline))
        _exact(self, "months_worked", optional=True)
        if self.months_worked is not None and not 0 <= self.months_worked <= 12:
            raise ValueError(f"{self.person_id}: months_worked outside [0, 12]")


@dataclass(frozen=True)
class Citation:
    """A legal or local source, written as RULES.md gives it, in both languages."""

    vi: str
    en: str


@dataclass(frozen=True)
class Reason:
    """One step of a rating's explanation. ``code`` selects a template (policy data),
    ``params`` fill it; ``not_law`` marks practice or platform rules, ``unverified`` rules
    whose primary text was not read; ``policy`` names the file holding the template."""

    code: str
    params: dict
    citation: Citation | None
    not_law: bool
    unverified: bool = False
    policy: str = "common"


@dataclass(frozen=True)
class PersonRating:
    """The engine's result for one person (units: points out of 100; shares in [0, 1]).

    ``period_scores`` / ``task_points`` / ``general_points``: per period label;
    ``general_detail``: per period, points per criterion code; ``components``: per period,
    the shares a, b, c (and d, đ, e for leaders); ``period_levels``: the band of each
    period score; ``measures``: nd90 task percentages and the Vĩnh Phúc completion rate.
    ``level`` is provisional while ``needs_council``: the council picks one of
    ``council_options``.
    """

    person_id: str
    profile: str
    score: Fraction | None
    level_before_quota: Level
    level: Level
    needs_council: bool = False
    council_options: tuple = ()
    quota_moved: bool = False
    reasons: tuple = ()
    period_scores: dict = field(default_factory=dict)
    task_points: dict = field(default_factory=dict)
    general_points: dict = field(default_factory=dict)
    general_detail: dict = field(default_factory=dict)
    components: dict = field(default_factory=dict)
    period_levels: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)


TEST_RULES = ("general_criteria", "cap", "none")
QUOTA_DENOMINATORS = ("good_only", "good_or_better")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Local choices for one rating run (RULES.md §4a, §6; DECISIONS.md 5, 6, 9).

    ``test_weight`` W: points of the test criterion (5/2 replaces criterion II.1; 10,
    the whole group II). ``quota_exception_units``: rating units with a recorded
    decision raising the EXCELLENT rate (outstanding unit); ``quota_exception_rates``
    optionally maps such a unit to the ceiling its decision set (never above the
    policy's exception rate, 25%). ``rating_date``: default
    15 December of the year. ``policies`` overrides a profile's policy; ``unit_policies``
    maps (profile, rating_unit) to a unit's own regulation (nd233 Art. 12 cl. 5).
    """

    test_rule: str = "general_criteria"
    test_weight: Fraction = Fraction(5, 2)
    quota_denominator: str = "good_only"
    quota_exception_units: frozenset = frozenset()
    quota_exception_rates: dict = field(default_factory=dict)
    rating_date: date | None = None
    policies: dict = field(default_factory=dict)
    unit_policies: dict = field(default_factory=dict)

    def __post_init__(self):
        _exact(self, "test_weight")
        if self.test_rule not in TEST_RULES:
            raise ValueError(f"test_rule {self.test_rule!r} not in {TEST_RULES}")
        if self.quota_denominator not in QUOTA_DENOMINATORS:
            raise ValueError(f"quota_denominator {self.quota_denominator!r} not in {QUOTA_DENOMINATORS}")
        object.__setattr__(self, "quota_exception_units", frozenset(self.quota_exception_units))
        rates = {unit: to_fraction(rate, f"quota_exception_rates[{unit}]")
                 for unit, rate in self.quota_exception_rates.items()}
        if any(not 0 <= rate <= 1 for rate in rates.values()):
            raise ValueError("quota_exception_rates must be shares in [0, 1]")
        object.__setattr__(self, "quota_exception_rates", MappingProxyType(rates))


RatingSettings = Settings   # the name the app imports (classification.inputs)
