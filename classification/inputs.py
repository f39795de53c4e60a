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
from performance.queries import unit_task_ids
from scoring.rating import (Discipline, choose_profile, PeriodInput, PersonInput, ProductResult, RatingSettings as EngineSettings,
                            StaffCategory, TestResult)
from scoring.rating.batch import Population, PopulationBuilder, encode_general

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
                             delivered=False, on_time=False, weight=task.weight, unit_target=task.unit_id is not None)
    return ProductResult(task_id=str(task.id), target=task.target, factor=task.factor, accepted=v.accepted_value,
                         delivered=True, on_time=v.on_time, quality_failures=v.quality_failures,
                         delays=v.delays, weight=task.weight, unit_target=task.unit_id is not None)


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


def _latest_task_rows(ids, year: int, scope=None) -> dict:
    """{task id: (task id, assignee id, period, target, factor, weight, report id, accepted,
    on time, failures, delays)} of the year's tasks with their latest report's verification
    (raw stored numbers; None where there is no report or no verification)."""
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
    return latest


def task_results(ids, year: int, scope=None) -> dict:
    """{(user id, period): [ProductResult]} of the year's tasks, in one read: each task with
    its latest report's verification (DECISIONS.md 2; an unverified report is not delivered)."""
    latest = _latest_task_rows(ids, year, scope)
    out = defaultdict(list)
    units = unit_task_ids(year)                 # tasks of a unit, answered for by its head
    for task_id, user_id, period, target, factor, weight, _report, accepted, on_time, failures, delays in latest.values():
        target, factor = _fraction(target), _fraction(factor)
        weight = _fraction(weight) if weight is not None else None
        if accepted is None:
            result = ProductResult(task_id=str(task_id), target=target, factor=factor, accepted=Fraction(0),
                                   delivered=False, on_time=False, weight=weight, unit_target=task_id in units)
        else:
            result = ProductResult(task_id=str(task_id), target=target, factor=factor, accepted=_fraction(accepted),
                                   delivered=True, on_time=on_time, quality_failures=failures, delays=delays,
                                   weight=weight, unit_target=task_id in units)
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


# ── the batch engine's input (scoring.rating.batch): columns, no object per product ─────────
@lru_cache(maxsize=8192)
def _pair(text: str) -> tuple:
    """A stored exact number's (numerator, denominator), parsed once per distinct text."""
    value = Fraction(text)
    return value.numerator, value.denominator


def task_rows(ids, year: int, scope=None) -> dict:
    """{(user id, period): [(task id, target, factor, weight, accepted or None, on time,
    failures, delays)]} with exact numbers as (numerator, denominator): what
    :func:`task_results` reads, in the same order, without building ProductResults."""
    latest = _latest_task_rows(ids, year, scope)
    out = defaultdict(list)
    for task_id, user_id, period, target, factor, weight, _report, accepted, on_time, failures, delays in latest.values():
        out[(user_id, period)].append((str(task_id), _pair(target), _pair(factor),
                                       _pair(weight) if weight is not None else None,
                                       _pair(accepted) if accepted is not None else None, on_time, failures, delays))
    return out


def general_rows(ids, year: int, scope=None) -> dict:
    """{(user id, period): (encoded final points or None, đ, e)}; identical point sets are
    encoded once (scoring.rating.batch.encode_general)."""
    stmt = (select(GeneralAssessment.user_id, GeneralAssessment.period, GeneralAssessment.final_points,
                   _raw(GeneralAssessment.org_capacity), _raw(GeneralAssessment.unity))
            .where(GeneralAssessment.period.like(f"{year}-%")))
    out, encoded = {}, {}
    for query in _in_scope(stmt, GeneralAssessment.user_id, ids, scope):
        for user_id, period, points, org, unity in db.session.execute(query):
            final = None
            if points:
                key = tuple((k, str(v)) for k, v in points.items())
                final = encoded.get(key)
                if final is None:
                    final = encoded[key] = encode_general({k: _fraction(v) for k, v in key})
            out[(user_id, period)] = (final, _pair(org) if org else None, _pair(unity) if unity else None)
    return out


def build_population(people: list[User], year: int, scope=None) -> Population:
    """The batch engine's input for ``people``: the same people, periods and products as
    :func:`build_inputs` (same order, same rules for which periods count), as columns."""
    ids = [u.id for u in people]
    tasks = task_rows(ids, year, scope)
    unit_tasks = {str(t) for t in unit_task_ids(year)}
    general = general_rows(ids, year, scope)
    discipline = defaultdict(list)
    for chunk in _chunks(ids):
        for d in db.session.scalars(select(DisciplineRecord).where(
                DisciplineRecord.user_id.in_(chunk), DisciplineRecord.decided_on >= date(year - 1, 12, 1),
                DisciplineRecord.decided_on <= date(year, 12, 31))):
            discipline[d.user_id].append(Discipline(form=d.form.value, decided_on=d.decided_on,
                                                    connected_with_duties=d.connected_with_duties))
    tests = test_results(year, ids)
    managers = direct_managers(people)
    no_test = TestResult(status="none", fraction=None)
    units, profiles = {}, {}
    b = PopulationBuilder()
    p = b.products
    prow, ptask, ptarget, pfactor, paccepted = p["row"], p["task_id"], p["target"], p["factor"], p["accepted"]
    pdelivered, pontime, pfail, pdelay, pweight, punit = (p["delivered"], p["on_time"], p["quality_failures"],
                                                          p["delays"], p["weight"], p["unit_target"])
    labels = [f"{year}-{q}" for q in QUARTERS]
    for user in people:
        unit = units.get(user.agency_id)
        if unit is None:
            unit = units[user.agency_id] = user.agency.rating_unit()
        category = StaffCategory(user.staff_category.value)
        key = (category, unit.has_nd233_regulation)
        profile = profiles.get(key)
        if profile is None:
            profile = profiles[key] = choose_profile(year, category, unit.has_nd233_regulation)
        manager = managers.get(user.id)
        i = b.add_person(person_id=str(user.id), name=user.full_name, category=category, rating_unit=unit.code,
                         quota_group=user.quota_group, is_leader=user.is_leader,
                         manager_id=str(manager) if manager else None, test=tests.get(user.id, no_test),
                         discipline=tuple(discipline.get(user.id, ())),
                         unit_has_nd233_regulation=unit.has_nd233_regulation)
        for label in labels:
            points, org, unity = general.get((user.id, label), (None, None, None))
            items = tasks.get((user.id, label), ())
            if not points and (profile != "nd90" or not items):     # not rated yet (see _period)
                continue
            r = b.add_period(i, label, general_points=points or (), org_capacity=org, unity=unity)
            for task_id, target, factor, weight, accepted, on_time, failures, delays in items:
                prow.append(r)
                ptask.append(task_id)
                ptarget.append(target)
                pfactor.append(factor)
                pweight.append(weight or (0, 0))
                punit.append(task_id in unit_tasks)
                if accepted is None:          # only a verified report counts
                    paccepted.append((0, 1))
                    pdelivered.append(False)
                    pontime.append(False)
                    pfail.append(0)
                    pdelay.append(0)
                else:
                    paccepted.append(accepted)
                    pdelivered.append(True)
                    pontime.append(on_time)
                    pfail.append(failures)
                    pdelay.append(delays)
    return b.build()
