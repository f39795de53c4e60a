"""Reads across years: a person's and a unit's results, and the HR dashboard of a year.

A unit's figures count the people who belong to it *now* (its current subtree); people
who moved keep their own history on their personal page.
"""
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from sqlalchemy import func, or_, select

from accounts.models import Agency, RatingHistory, User
from accounts.permissions import agency_scope
from classification.models import RatingSettings, YearlyClassification
from exam.models import Attempt, AttemptState, Exam
from extensions import db
from reports.exam_data import parse_fraction
from reports.queries import REPORT_ROLES, official_results, today_local
from scoring.rating import load_policy, quota_cap
from scoring.rewards import reward_tier4

GOOD_OR_BETTER = ("EXCELLENT", "GOOD")
LEVEL_ORDER = ("EXCELLENT", "GOOD", "COMPLETED", "NOT_COMPLETED", "NOT_RATED")


@dataclass(frozen=True)
class PersonYear:
    year: int
    attempts: tuple       # (exam, attempt) of official exams, finished
    level: str | None     # the year's rating (this platform), else the imported history
    level_state: str | None


@dataclass(frozen=True)
class UnitYear:
    year: int
    sat: int
    mean: float | None
    passed: int
    levels: dict

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.sat if self.sat else None


@dataclass(frozen=True)
class QuotaUse:
    group: str
    good_or_better: int
    excellent: int
    cap: int


@dataclass(frozen=True)
class UnitBoard:
    agency: Agency
    people: int
    rated: int
    levels: dict
    states: dict
    council: int
    quota: tuple
    rewards: int
    test_sat: int
    test_passed: int


@dataclass(frozen=True)
class Board:
    year: int
    units: tuple
    deadline: date
    days_left: int
    totals: dict = field(default_factory=dict)


def person_years(person: User, own: bool = False) -> list[PersonYear]:
    """Each year with an official attempt or a rating of ``person``, newest first.

    ``own``: the person reads their own history, so a year's level shows only once the
    rating unit's result is published (DECISIONS.md 25); HR readers see it at once."""
    attempts = db.session.scalars(
        select(Attempt).join(Exam, Attempt.exam_id == Exam.id)
        .where(Attempt.user_id == person.id, Exam.is_official, Attempt.state != AttemptState.IN_PROGRESS)
        .order_by(Exam.year, Attempt.started_at)).all()
    by_year = defaultdict(list)
    for a in attempts:
        by_year[a.exam.year].append((a.exam, a))
    rated = {c.year: (c.level, c.state.value) for c in db.session.scalars(
        select(YearlyClassification).where(YearlyClassification.user_id == person.id))
        if not own or _published(person, c.year)}
    history = {h.year: (h.level, "history") for h in db.session.scalars(
        select(RatingHistory).where(RatingHistory.user_id == person.id))}
    levels = {**history, **rated}
    years = sorted(set(by_year) | set(levels), reverse=True)
    return [PersonYear(y, tuple(by_year.get(y, ())), *levels.get(y, (None, None))) for y in years]


def _published(person: User, year: int) -> bool:
    from classification import workflow
    unit = person.agency.rating_unit() if person.agency else None
    return unit is not None and workflow.is_published(workflow.workflow(unit, year))


def unit_years(agency: Agency) -> list[UnitYear]:
    """Per year, the official test results and the rating levels of the unit's people."""
    below = Agency.path.startswith(agency.path)
    tests = defaultdict(list)
    for year, _exam, _uid, score, most, passed, pending in official_results(below):
        if score is not None and most and not pending:
            tests[year].append((float(parse_fraction(score) / parse_fraction(most) * 100), bool(passed)))
    levels = defaultdict(Counter)
    stmt = (select(YearlyClassification.year, YearlyClassification.level, func.count())
            .join(User, YearlyClassification.user_id == User.id).join(Agency, User.agency_id == Agency.id)
            .where(below).group_by(YearlyClassification.year, YearlyClassification.level))
    for year, level, count in db.session.execute(stmt):
        levels[year][level] += count
    years = sorted(set(tests) | set(levels), reverse=True)
    return [UnitYear(y, len(tests[y]), statistics.fmean(p for p, _ in tests[y]) if tests[y] else None,
                     sum(1 for _, ok in tests[y] if ok), dict(levels[y])) for y in years]


def rating_deadline(year: int) -> date:
    """The rating date of ``year``: 15 December by default (policy ``common``, DECISIONS 9)."""
    params = load_policy("common").rule("rating_date").params
    return date(year, int(params["month"]), int(params["day"]))


def hr_board(user, year: int, roles=REPORT_ROLES) -> Board:
    """Per rating unit (DECISIONS 6) of the people the reader reaches with ``roles``: people
    to rate, levels, workflow states, the quota used per quota group, reward tier 4 earned
    this year and the year's official test. People under no rating unit count under the
    root of the tree."""
    people = db.session.execute(
        select(User.id, User.quota_group, Agency.path).join(Agency, User.agency_id == Agency.id)
        .where(agency_scope(user, *roles), User.active, User.rated)).all()
    candidates = {a.id: a for a in db.session.scalars(
        select(Agency).where(or_(Agency.is_rating_unit, Agency.parent_id.is_(None))))}

    def unit_of(path: str) -> int:
        return max((a for a in candidates.values() if path.startswith(a.path)), key=lambda a: len(a.path)).id

    members = defaultdict(list)
    for uid, group, path in people:
        members[unit_of(path)].append((uid, group))
    ids = [uid for uid, _g, _p in people]
    rows = {c.user_id: c for c in db.session.scalars(
        select(YearlyClassification).where(YearlyClassification.year == year, YearlyClassification.user_id.in_(ids)))}
    rewards = _reward_years(ids, year, rows)
    tests = {uid: bool(passed) for _y, _e, uid, _s, _m, passed, pending in
             official_results(User.id.in_(ids), years=[year]) if not pending}
    settings = db.session.scalars(select(RatingSettings).where(RatingSettings.year == year)).first()
    denominator = settings.quota_denominator if settings else "good_only"
    boards = tuple(_unit_board(candidates[k], members[k], rows, rewards, tests, denominator)
                   for k in sorted(members, key=lambda k: candidates[k].path))
    deadline = rating_deadline(year)
    totals = {name: sum(getattr(b, name) for b in boards) for name in ("people", "rated", "council", "rewards",
                                                                        "test_sat", "test_passed")}
    totals["approved"] = sum(b.states.get("approved", 0) for b in boards)
    return Board(year, boards, deadline, (deadline - today_local()).days, totals)


def _unit_board(agency, members, rows, rewards, tests, denominator) -> UnitBoard:
    mine = [rows[uid] for uid, _g in members if uid in rows]
    quota = []
    for group in sorted({g for _u, g in members}):
        group_rows = [rows[uid] for uid, g in members if g == group and uid in rows]
        good = sum(1 for r in group_rows if r.level_before_quota in GOOD_OR_BETTER)
        quota.append(QuotaUse(group, good, sum(1 for r in group_rows if r.level == "EXCELLENT"),
                              quota_cap(good, Fraction(1, 5), denominator)))
    uids = [uid for uid, _g in members]
    return UnitBoard(agency, len(members), len(mine), Counter(r.level for r in mine),
                     Counter(r.state.value for r in mine), sum(1 for r in mine if r.needs_council), tuple(quota),
                     sum(1 for uid in uids if uid in rewards), sum(1 for uid in uids if uid in tests),
                     sum(1 for uid in uids if tests.get(uid)))


def _reward_years(ids, year: int, rows) -> set[int]:
    """People whose levels earn reward tier 4 in ``year`` (past years from the imported
    history, this year from the current rating, provisional until approved)."""
    history = defaultdict(dict)
    for h in db.session.scalars(select(RatingHistory).where(RatingHistory.user_id.in_(ids))):
        history[h.user_id][h.year] = h.level
    for c in db.session.scalars(select(YearlyClassification).where(YearlyClassification.user_id.in_(ids),
                                                                  YearlyClassification.year < year)):
        history[c.user_id][c.year] = c.level
    winners = set()
    for uid, row in rows.items():
        levels = {**history[uid], year: row.level}
        if year in reward_tier4(levels):
            winners.add(uid)
    return winners
