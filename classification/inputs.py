"""Turning stored records into the plain inputs of :mod:`scoring.rating` (DECISIONS.md 2, 4, 5).

Reads only: tasks with their latest verified report, general-criteria points per
period, the year's official test result, discipline records.  One query per table
for the whole population (no per-person queries).
"""
from collections import defaultdict
from datetime import date
from fractions import Fraction

from sqlalchemy import select

from accounts.models import DisciplineRecord, User
from accounts.queries import direct_manager
from classification.models import GeneralAssessment, QuotaException, RatingSettings
from db_types import utcnow
from exam.models import Attempt, AttemptState, Exam
from extensions import db
from performance.models import Task
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


def build_inputs(people: list[User], year: int) -> list[PersonInput]:
    ids = [u.id for u in people]
    tasks = defaultdict(list)
    for t in db.session.scalars(select(Task).where(Task.year == year, Task.assignee_id.in_(ids))):
        tasks[(t.assignee_id, t.period)].append(t)
    general = {(g.user_id, g.period): g for g in db.session.scalars(
        select(GeneralAssessment).where(GeneralAssessment.user_id.in_(ids),
                                        GeneralAssessment.period.like(f"{year}-%")))}
    discipline = defaultdict(list)
    for d in db.session.scalars(select(DisciplineRecord).where(DisciplineRecord.user_id.in_(ids),
                                                               DisciplineRecord.decided_on >= date(year - 1, 12, 1),
                                                               DisciplineRecord.decided_on <= date(year, 12, 31))):
        discipline[d.user_id].append(Discipline(form=d.form.value, decided_on=d.decided_on,
                                                connected_with_duties=d.connected_with_duties))
    tests = test_results(year, ids)
    return [_person(u, year, tasks, general, discipline, tests) for u in people]


def _period(user, period, tasks, general, profile) -> PeriodInput | None:
    """The period's input, or None while the supervisor has not set its general-criteria
    points (the period is then not rated yet; its tasks wait with it)."""
    assessment, items = general.get((user.id, period)), tasks.get((user.id, period), [])
    scored = assessment is not None and bool(assessment.final_points)
    if not scored and (profile != "nd90" or not items):   # nd90 has no point scale
        return None
    points = {k: Fraction(v) for k, v in assessment.final_points.items()} if scored else {}
    return PeriodInput(period=period, worked=True, general_points=points,
                       products=tuple(product_result(t) for t in items),
                       org_capacity=assessment.org_capacity if assessment else None,
                       unity=assessment.unity if assessment else None)


def _person(user, year, tasks, general, discipline, tests) -> PersonInput:
    unit = user.agency.rating_unit()
    profile = choose_profile(year, StaffCategory(user.staff_category.value), unit.has_nd233_regulation)
    periods = tuple(p for p in (_period(user, f"{year}-{q}", tasks, general, profile) for q in QUARTERS) if p)
    manager = direct_manager(user)
    return PersonInput(
        person_id=str(user.id), name=user.full_name, category=StaffCategory(user.staff_category.value),
        is_leader=user.is_leader, manager_id=str(manager.id) if manager else None,
        rating_unit=user.agency.rating_unit().code, quota_group=user.quota_group, periods=periods,
        test=tests.get(user.id, TestResult(status="none", fraction=None)),
        discipline=tuple(discipline.get(user.id, ())),
        unit_has_nd233_regulation=user.agency.rating_unit().has_nd233_regulation)
