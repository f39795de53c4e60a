"""Turning stored records into the plain inputs of :mod:`scoring.rating` (DECISIONS.md 2, 4, 5).

Reads only: tasks with their latest verified report, general-criteria points per
period, the year's official test result, discipline records.  One query per table
for the whole population (no per-person queries).
"""
from collections import defaultdict
from datetime import date
from fractions import Fraction
from functools import lru_cache

from sqlalchemy import String, select, type_coerce

from accounts.models import Agency, DisciplineRecord, User
from classification.models import GeneralAssessment, QuotaException, RatingSettings
from db_types import utcnow
from exam.models import Attempt, AttemptState, Exam
from extensions import db
from performance.models import ProductReport, Task, Verification
from scoring.rating import (Discipline, choose_profile, PeriodInput, PersonInput, ProductResult, RatingSettings as EngineSettings,
                            StaffCategory, TestResult)

QUARTERS = ("Q1", "Q2", "Q3", "Q4")


def engine_settings(year: int) -> EngineSettings:
    """The year's settings, with the recorded quota exceptions (unit code → ceiling)."""
    row = db.session.scalars(select(RatingSettings).where(RatingSettings.year == year)).first()
    row = row or RatingSettings(year=year, test_rule="general_criteria", test_weight=Fraction(5, 2),
                                quota_denominator="good_only")
    exceptions = {e.agency.code: e.ceiling for e in db.session.scalars(
        select(QuotaException).where(QuotaException.year == year))}
    return EngineSettings(test_rule=row.test_rule, test_weight=Fraction(row.test_weight),
                          quota_denominator=row.quota_denominator, quota_exception_units=frozenset(exceptions),
                          quota_exception_rates=exceptions)


def product_result(task: Task) -> ProductResult:
    """A task's outcome: only a verified report counts; an unverified one is not delivered."""
    report = task.latest_report
    v = report.verification if report is not None else None
    if v is None:
        return ProductResult(task_id=str(task.id), target=task.target, factor=task.factor, accepted=Fraction(0),
                             delivered=False, on_time=False, weight=task.weight)
    return ProductResult(task_id=str(task.id), target=task.target, factor=task.factor, accepted=v.accepted_value,
                         delivered=True, on_time=v.on_time, quality_failures=v.quality_failures,
                         delays=v.delays, weight=task.weight)


def test_results(year: int, user_ids) -> dict[int, TestResult]:
    """The year's official test per person: passed/failed with the score fraction; missed
    when the window has closed without an attempt; none while it is still open."""
    exams = db.session.scalars(select(Exam).where(Exam.year == year, Exam.is_official)).all()
    if not exams:
        return {}
    attempts = db.session.scalars(select(Attempt).where(Attempt.exam_id.in_([e.id for e in exams]),
                                                        Attempt.state != AttemptState.IN_PROGRESS)).all()
    results = {}
    window_over = all(e.window_end is not None and e.window_end < utcnow() for e in exams)
    for uid in user_ids:
        results[uid] = TestResult(status="missed" if window_over else "none", fraction=None)
    for a in attempts:
        fraction = a.score / a.max_score if a.max_score else Fraction(0)
        results[a.user_id] = TestResult(status="passed" if a.passed else "failed", fraction=fraction)
    return results


def build_inputs(people: list[User], year: int, scope=None) -> list[PersonInput]:
    """The engine's input for ``people``.  ``scope`` (an agency whose subtree holds them all)
    lets the big reads filter by the tree path instead of long id lists."""
    ids = [u.id for u in people]
    tasks = task_results(ids, year, scope)
    general = general_points(ids, year, scope)
    discipline = defaultdict(list)
    for chunk in _chunks(ids):
        for d in db.session.scalars(select(DisciplineRecord).where(
                DisciplineRecord.user_id.in_(chunk), DisciplineRecord.decided_on >= date(year - 1, 12, 1),
                DisciplineRecord.decided_on <= date(year, 12, 31))):
            discipline[d.user_id].append(Discipline(form=d.form.value, decided_on=d.decided_on,
                                                    connected_with_duties=d.connected_with_duties))
    tests = test_results(year, ids)
    managers = direct_managers(people)
    units = {}
    return [_person(u, year, tasks, general, discipline, tests, managers, units) for u in people]


CHUNK = 5000


def _chunks(ids):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


@lru_cache(maxsize=8192)
def _fraction(text: str) -> Fraction:
    """Stored exact numbers ("4", "5/2") parsed once: a province repeats the same few."""
    return Fraction(text)


def _raw(column):
    """The column's stored text (a FractionType without its per-row conversion)."""
    return type_coerce(column, String)


def _in_scope(stmt, user_column, ids, scope):
    """Filter ``stmt`` to the people: by the scope's tree path when given, else by ids."""
    if scope is not None:
        return [stmt.join(User, user_column == User.id).join(User.agency)
                .where(Agency.path.startswith(scope.path))]
    return [stmt.where(user_column.in_(chunk)) for chunk in _chunks(ids)]


def task_results(ids, year: int, scope=None) -> dict:
    """{(user id, period): [ProductResult]} of the year's tasks, in one read: each task with
    its latest report's verification (DECISIONS.md 2; an unverified report is not delivered)."""
    stmt = (select(Task.id, Task.assignee_id, Task.period, _raw(Task.target), _raw(Task.factor), _raw(Task.weight),
                   ProductReport.id, _raw(Verification.accepted_value), Verification.on_time,
                   Verification.quality_failures, Verification.delays)
            .outerjoin(ProductReport, ProductReport.task_id == Task.id)
            .outerjoin(Verification, Verification.report_id == ProductReport.id)
            .where(Task.year == year))
    latest = {}
    for query in _in_scope(stmt, Task.assignee_id, ids, scope):
        for row in db.session.execute(query.order_by(Task.id, ProductReport.id)):
            latest[row[0]] = row          # ordered by report id: the last one wins
    out = defaultdict(list)
    for task_id, user_id, period, target, factor, weight, _report, accepted, on_time, failures, delays in latest.values():
        target, factor = _fraction(target), _fraction(factor)
        weight = _fraction(weight) if weight is not None else None
        if accepted is None:
            result = ProductResult(task_id=str(task_id), target=target, factor=factor, accepted=Fraction(0),
                                   delivered=False, on_time=False, weight=weight)
        else:
            result = ProductResult(task_id=str(task_id), target=target, factor=factor, accepted=_fraction(accepted),
                                   delivered=True, on_time=on_time, quality_failures=failures, delays=delays,
                                   weight=weight)
        out[(user_id, period)].append(result)
    return out


def general_points(ids, year: int, scope=None) -> dict:
    """{(user id, period): (final points {code: Fraction} or None, đ, e)}."""
    stmt = (select(GeneralAssessment.user_id, GeneralAssessment.period, GeneralAssessment.final_points,
                   _raw(GeneralAssessment.org_capacity), _raw(GeneralAssessment.unity))
            .where(GeneralAssessment.period.like(f"{year}-%")))
    out = {}
    for query in _in_scope(stmt, GeneralAssessment.user_id, ids, scope):
        for user_id, period, points, org, unity in db.session.execute(query):
            final = {k: _fraction(str(v)) for k, v in points.items()} if points else None
            out[(user_id, period)] = (final, _fraction(org) if org else None, _fraction(unity) if unity else None)
    return out


def direct_managers(people) -> dict:
    """{user id: manager id or None}, as :func:`accounts.queries.direct_manager` decides it,
    from one read of the leaders."""
    leaders = defaultdict(list)
    for uid, agency_id in db.session.execute(select(User.id, User.agency_id).where(User.is_leader).order_by(User.id)):
        leaders[agency_id].append(uid)
    out = {}
    for user in people:
        agency = user.agency.parent if user.is_leader else user.agency
        manager = None
        while agency is not None and manager is None:
            manager = next((uid for uid in leaders.get(agency.id, ()) if uid != user.id), None)
            agency = agency.parent
        out[user.id] = manager
    return out


def _period(user, period, tasks, general, profile) -> PeriodInput | None:
    """The period's input, or None while the supervisor has not set its general-criteria
    points (the period is then not rated yet; its tasks wait with it)."""
    points, org, unity = general.get((user.id, period), (None, None, None))
    items = tasks.get((user.id, period), [])
    if not points and (profile != "nd90" or not items):   # nd90 has no point scale
        return None
    return PeriodInput(period=period, worked=True, general_points=points or {}, products=tuple(items),
                       org_capacity=org, unity=unity)


def _person(user, year, tasks, general, discipline, tests, managers, units) -> PersonInput:
    unit = units.get(user.agency_id)
    if unit is None:
        unit = units[user.agency_id] = user.agency.rating_unit()
    category = StaffCategory(user.staff_category.value)
    profile = choose_profile(year, category, unit.has_nd233_regulation)
    periods = tuple(p for p in (_period(user, f"{year}-{q}", tasks, general, profile) for q in QUARTERS) if p)
    manager = managers.get(user.id)
    return PersonInput(
        person_id=str(user.id), name=user.full_name, category=category,
        is_leader=user.is_leader, manager_id=str(manager) if manager else None,
        rating_unit=unit.code, quota_group=user.quota_group, periods=periods,
        test=tests.get(user.id, TestResult(status="none", fraction=None)),
        discipline=tuple(discipline.get(user.id, ())), unit_has_nd233_regulation=unit.has_nd233_regulation)
