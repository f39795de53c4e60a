"""Reads behind the report pages, always scoped to the reader's agency subtree.

Who sees what: exam reports and breakdowns go to exam admins, HR officers and heads, and
show only the attempts of people in their subtree; the item analysis (it shows question
texts and keys) goes to the exam admins who reach the organising agency. A person always
sees their own history and result sheet.
"""
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache

from flask import abort
from sqlalchemy import String, or_, select, type_coerce

from accounts.models import Agency, Role, User
from accounts.permissions import agency_scope, can_reach, scope_paths
from exam.models import Attempt, AttemptSlot, AttemptState, Exam
from extensions import db
from question_bank.models import Category, Question, QuestionVersion
from reports.exam_data import AttemptRow, ExamStats, attempt_rows, exam_stats, parse_fraction
from text_utils import person_sort_key, vi_sort_key

REPORT_ROLES = (Role.EXAM_ADMIN, Role.HR_OFFICER, Role.HEAD)
ITEM_ROLES = (Role.EXAM_ADMIN,)
BINS = 10  # histogram: 0–10 %, …, 90–100 % (100 % in the last bin)
PEOPLE_SHOWN = 200  # the exam page lists the people of a unit up to this many; the XLSX has them all


@dataclass(frozen=True)
class Group:
    """Results of the counted attempts of one group (an agency, a job position)."""

    key: object
    label: str
    count: int
    mean: float | None      # mean percentage of the maximum
    passed: int

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.count if self.count else None


@dataclass(frozen=True)
class Summary:
    attempts: int           # started, in scope
    in_progress: int
    awaiting_marking: int
    counted: int            # finished and fully marked
    mean: float | None
    median: float | None
    passed: int
    histogram: tuple        # BINS counts of percentages

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.counted if self.counted else None


def _exams(user):
    """Exams organised in the reader's scope, or sat by someone in it."""
    scope = agency_scope(user, *REPORT_ROLES)
    own = select(Agency.id).where(scope)
    sat = select(Attempt.exam_id).join(User, Attempt.user_id == User.id).join(Agency, User.agency_id == Agency.id).where(scope)
    return select(Exam).where(or_(Exam.agency_id.in_(own), Exam.id.in_(sat)))


def exams_for(user) -> list[Exam]:
    return list(db.session.scalars(_exams(user).order_by(Exam.year.desc(), Exam.code)))


def get_exam_or_404(exam_id: int, user) -> Exam:
    """The exam when the reader may see its reports, else 404 (its existence is not revealed)."""
    exam = db.session.scalars(_exams(user).where(Exam.id == exam_id)).first()
    if exam is None:
        abort(404)
    return exam


def can_see_items(user, exam: Exam) -> bool:
    return can_reach(user, exam.agency, *ITEM_ROLES)


def in_scope(rows: list[AttemptRow], user, unit: Agency | None = None) -> list[AttemptRow]:
    """The rows of people the reader reaches, below ``unit`` when given."""
    paths = scope_paths(user, *REPORT_ROLES)

    @lru_cache(maxsize=None)
    def reached(path: str) -> bool:  # agencies are few, rows many
        return any(path.startswith(p) for p in paths) and (unit is None or path.startswith(unit.path))

    return [r for r in rows if reached(r.agency_path)]


def report_units(user) -> list[Agency]:
    """Agencies the reader may pick as the unit of a report, in tree order."""
    return list(db.session.scalars(select(Agency).where(agency_scope(user, *REPORT_ROLES)).order_by(Agency.path)))


def summarise(rows: list[AttemptRow]) -> Summary:
    counted = [r for r in rows if r.counted]
    percents = [r.percent for r in counted]
    histogram = [0] * BINS
    for p in percents:
        histogram[min(int(p // (100 / BINS)), BINS - 1)] += 1
    return Summary(len(rows), sum(1 for r in rows if not r.finished),
                   sum(1 for r in rows if r.finished and r.needs_grading), len(counted),
                   statistics.fmean(percents) if percents else None,
                   statistics.median(percents) if percents else None,
                   sum(1 for r in counted if r.passed), tuple(histogram))


def _group(rows, key_of, label_of) -> list[Group]:
    """One Group per ``key_of(row)`` over the counted rows (one pass: 10,000 rows per request)."""
    sums: dict = {}
    for r in rows:
        if r.percent is not None:
            entry = sums.get(key := key_of(r))
            if entry is None:
                entry = sums[key] = [0, 0.0, 0]
            entry[0] += 1
            entry[1] += r.percent
            entry[2] += bool(r.passed)
    return [Group(key, label_of(key), count, total / count, passed) for key, (count, total, passed) in sums.items()]


def by_agency(rows: list[AttemptRow], unit: Agency) -> list[Group]:
    """One group per child agency of ``unit`` (its whole subtree), and ``unit`` itself for
    the people attached to it directly; in tree order."""
    children = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.parent_id == unit.id))}
    children[unit.id] = unit

    @lru_cache(maxsize=None)
    def child_of_path(path: str) -> int:
        rest = path[len(unit.path):]
        return int(rest.split("/")[0]) if rest else unit.id

    def child_of(row):
        return child_of_path(row.agency_path)

    groups = _group([r for r in rows if r.agency_path.startswith(unit.path)], child_of, lambda k: children[k].name)
    return sorted(groups, key=lambda g: (g.key != unit.id, vi_sort_key(g.label)))


def by_position(rows: list[AttemptRow]) -> list[Group]:
    return sorted(_group(rows, lambda r: r.position or "—", str), key=lambda g: (-g.count, g.label))


def category_profile(stats: ExamStats, rows: list[AttemptRow]) -> list[tuple[str, float, float | None]]:
    """(topic path, questions per paper, mean % of the topic's points) over ``rows``."""
    mask = stats.row_mask(r.attempt_id for r in rows if r.counted)
    n = int(mask.sum())
    out = []
    for c, (_id, path) in enumerate(stats.categories):
        got, most = stats.category_score[mask, c].sum(), stats.category_max[mask, c].sum()
        asked = float(most / n) if n else 0.0
        out.append((path, asked, float(got / most * 100) if most else None))
    return out


def attempt_topics(attempt: Attempt) -> list[tuple[str, int, Fraction, Fraction]]:
    """(topic path, questions, points, maximum) of one attempt, by topic path."""
    stmt = (select(Category.path, type_coerce(AttemptSlot.mark, String), type_coerce(AttemptSlot.fraction, String))
            .join(QuestionVersion, AttemptSlot.version_id == QuestionVersion.id)
            .join(Question, QuestionVersion.question_id == Question.id)
            .join(Category, Question.category_id == Category.id)
            .where(AttemptSlot.attempt_id == attempt.id, AttemptSlot.excluded.is_(False)))
    topics: dict[str, list] = {}
    for path, mark, fraction in db.session.execute(stmt):
        if fraction is None:
            continue
        entry = topics.setdefault(path, [0, Fraction(0), Fraction(0)])
        entry[0] += 1
        entry[1] += parse_fraction(fraction) * parse_fraction(mark)
        entry[2] += parse_fraction(mark)
    return [(path, *values) for path, values in sorted(topics.items())]


def official_results(user_ids_condition, years=None):
    """(year, exam, user id, score, max, passed) of finished official attempts."""
    stmt = (select(Exam.year, Exam.id, Attempt.user_id, type_coerce(Attempt.score, String),
                   type_coerce(Attempt.max_score, String), Attempt.passed, Attempt.needs_grading)
            .join(Exam, Attempt.exam_id == Exam.id).join(User, Attempt.user_id == User.id)
            .join(Agency, User.agency_id == Agency.id)
            .where(Exam.is_official, Attempt.state != AttemptState.IN_PROGRESS, user_ids_condition))
    if years:
        stmt = stmt.where(Exam.year.in_(list(years)))
    return db.session.execute(stmt).all()


def today_local() -> date:
    """Today in Asia/Ho_Chi_Minh (DECISIONS.md 17)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def name_key(full_name: str) -> tuple:
    """Vietnamese order: by given name, then the rest of the name (DECISIONS 23)."""
    return person_sort_key(full_name)


def agency_names(ids) -> dict[int, str]:
    return dict(db.session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(list(set(ids))))).all())


def exam_report(exam: Exam, user, unit: Agency) -> dict:
    """Everything the exam page shows for the reader's ``unit``: the counted results, the
    histogram, the breakdowns and the per-topic profile (from the cached statistics)."""
    rows = attempt_rows(exam)
    stats = exam_stats(exam, rows)
    mine = in_scope(rows, user, unit)
    return {"rows": mine, "stats": stats, "summary": summarise(mine), "agencies": by_agency(mine, unit),
            "positions": by_position(mine), "topics": category_profile(stats, mine)}
