"""The numbers of one exam, read in bulk and cached: attempt rows (always fresh) and the
slot-derived statistics (item analysis, per-topic sums), cached per process.

Cache choice: an in-process LRU (``MAX_CACHED`` exams) keyed by the exam and a
*fingerprint*: a hash of every counted attempt's id, score, maximum and pending-marking
count, and of the exam's applied regrade jobs (the version counter of its keys). The
fingerprint is read on every request (the breakdowns need those rows anyway), so a new
submission, a marker's grade or an applied regrade changes the key and the next request
recomputes: no worker serves stale statistics and no invalidation message has to reach
the other workers. :func:`forget` drops an exam from this process at once.
"""
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
from sqlalchemy import String, func, select, type_coerce

from accounts.models import Agency, User
from exam.models import Attempt, AttemptSlot, AttemptState, Exam, RegradeJob
from extensions import db
from question_bank.models import Category, Question, QuestionVersion
from scoring.item_analysis import ItemAnalysis, ItemSpec, OptionSpec, analyse, random_guess_score

MAX_CACHED = 8
_cache: "OrderedDict[tuple, ExamStats]" = OrderedDict()
_lock = threading.Lock()


@lru_cache(maxsize=4096)
def _fraction(text: str | None) -> Fraction | None:
    """Parse a stored FractionType text once per distinct value (scores repeat a lot)."""
    return None if text is None else Fraction(text)


@dataclass(frozen=True)
class AttemptRow:
    """One attempt with its person, as the breakdowns need it."""

    attempt_id: int
    user_id: int
    full_name: str
    position: str
    agency_id: int
    agency_path: str
    score: Fraction | None
    max_score: Fraction | None
    passed: bool | None
    needs_grading: int
    finished: bool

    @property
    def counted(self) -> bool:
        """Finished and fully marked: the attempts every statistic is computed on."""
        return self.finished and not self.needs_grading and bool(self.max_score)

    @property
    def percent(self) -> float:
        return float(self.score / self.max_score * 100)


@dataclass(frozen=True)
class ItemInfo:
    """What the pages show about one analysed question version."""

    version_id: int
    question_id: int
    name: str
    qtype: str
    text: str
    category_id: int
    category_path: str
    random_guess: float | None
    options: tuple  # ((key, text html, fraction), …) in payload order


@dataclass(frozen=True)
class ExamStats:
    """Slot-derived statistics of the counted attempts (rows in ``attempt_ids`` order)."""

    fingerprint: str
    attempt_ids: np.ndarray          # (n,)
    categories: tuple                # ((category id, path), …) c entries
    category_score: np.ndarray       # (n, c) points obtained per topic
    category_max: np.ndarray         # (n, c) points available per topic
    items: tuple                     # ItemInfo × k, in analysis order
    analysis: ItemAnalysis

    def row_mask(self, attempt_ids) -> np.ndarray:
        return np.isin(self.attempt_ids, np.fromiter(attempt_ids, dtype=np.int64))


def attempt_rows(exam: Exam) -> list[AttemptRow]:
    """Every attempt of ``exam`` with its person's name, position and agency path."""
    stmt = (select(Attempt.id, Attempt.user_id, User.full_name, User.position, User.agency_id, Agency.path,
                   type_coerce(Attempt.score, String), type_coerce(Attempt.max_score, String), Attempt.passed,
                   Attempt.needs_grading, Attempt.state, Attempt.finished_at)
            .join(User, Attempt.user_id == User.id).join(Agency, User.agency_id == Agency.id)
            .where(Attempt.exam_id == exam.id).order_by(Attempt.id))
    return [AttemptRow(r[0], r[1], r[2], r[3] or "", r[4], r[5], _fraction(r[6]), _fraction(r[7]), r[8],
                       r[9] or 0, r[10] != AttemptState.IN_PROGRESS)
            for r in db.session.execute(stmt)]


def fingerprint(exam: Exam, rows: list[AttemptRow]) -> str:
    """A hash of what the statistics depend on: the counted attempts' scores, maxima and
    pending markings, and the exam's applied regrades (a key regrade moves slots to the
    corrected version even where no score changes)."""
    regrades = db.session.execute(select(func.count(), func.max(RegradeJob.id)).where(
        RegradeJob.exam_id == exam.id, RegradeJob.state == "applied")).one()
    digest = hashlib.sha1(f"{exam.id}|{exam.created_at.isoformat()}|{regrades[0]}|{regrades[1]}".encode())
    for r in rows:
        if r.counted:
            digest.update(f"{r.attempt_id}:{r.score}:{r.max_score}:{r.needs_grading};".encode())
    return digest.hexdigest()


def exam_stats(exam: Exam, rows: list[AttemptRow] | None = None) -> ExamStats:
    """The cached statistics of ``exam``, recomputed when its fingerprint changed."""
    rows = attempt_rows(exam) if rows is None else rows
    key = (exam.id, fingerprint(exam, rows))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    stats = compute(exam, key[1])
    with _lock:
        for old in [k for k in _cache if k[0] == exam.id]:
            del _cache[old]
        _cache[key] = stats
        while len(_cache) > MAX_CACHED:
            _cache.popitem(last=False)
    return stats


def forget(exam_id: int) -> None:
    """Drop ``exam_id`` from this process's cache."""
    with _lock:
        for key in [k for k in _cache if k[0] == exam_id]:
            del _cache[key]


def _slot_rows(exam: Exam):
    counted = (Attempt.exam_id == exam.id) & (Attempt.state != AttemptState.IN_PROGRESS) & (Attempt.needs_grading == 0)
    stmt = (select(AttemptSlot.attempt_id, AttemptSlot.position, AttemptSlot.version_id,
                   type_coerce(AttemptSlot.mark, String), type_coerce(AttemptSlot.fraction, String),
                   AttemptSlot.response["choice"].as_string(), AttemptSlot.response["value"].as_string())
            .join(Attempt, AttemptSlot.attempt_id == Attempt.id).where(counted, AttemptSlot.excluded.is_(False))
            .order_by(AttemptSlot.attempt_id, AttemptSlot.position))
    return db.session.execute(stmt).all()


def compute(exam: Exam, fingerprint_: str = "") -> ExamStats:
    """Read every counted slot of ``exam`` and run :func:`scoring.item_analysis.analyse`."""
    slots = [s for s in _slot_rows(exam) if s[4] is not None]  # ungraded (description) slots carry no mark
    attempt_ids = np.array(sorted({s[0] for s in slots}), dtype=np.int64)
    items = _item_infos({s[2] for s in slots})
    col = {info.version_id: j for j, info in enumerate(items)}
    categories = tuple(dict.fromkeys((i.category_id, i.category_path) for i in items))
    cat_of = np.array([categories.index((i.category_id, i.category_path)) for i in items], dtype=np.int64)
    row = {a: i for i, a in enumerate(attempt_ids.tolist())}
    n, k = len(attempt_ids), len(items)
    marks = np.full((n, k), np.nan)
    mark_max = np.zeros((n, k))
    choices = np.full((n, k), -1, dtype=np.int64)
    option_index = [{opt[0]: o for o, opt in enumerate(info.options)} for info in items]
    by_position: dict[int, list[float]] = {}
    for attempt_id, _position, version_id, mark, fraction, choice, value in slots:
        i, j = row[attempt_id], col[version_id]
        points = float(_fraction(fraction) * _fraction(mark))
        marks[i, j], mark_max[i, j] = points, float(_fraction(mark))
        by_position.setdefault(i, []).append(points)
        picked = choice if choice is not None else _truefalse(value)
        if picked is not None:
            choices[i, j] = option_index[j].get(str(picked), -1)
    specs = [_spec(info, mark_max[:, j]) for j, info in enumerate(items)]
    analysis = analyse(marks, specs, choices=choices, position_marks=_positions(by_position, n),
                       max_score=float(exam.max_score) if exam.rules else None)
    cat_score, cat_max = np.zeros((n, len(categories))), np.zeros((n, len(categories)))
    for j in range(k):
        cat_score[:, cat_of[j]] += np.nan_to_num(marks[:, j])
        cat_max[:, cat_of[j]] += mark_max[:, j]
    return ExamStats(fingerprint_, attempt_ids, categories, cat_score, cat_max, items, analysis)


def _truefalse(value) -> str | None:
    """The stored true/false answer as an option key ("true"/"false"); SQLite gives 1/0."""
    if value is None:
        return None
    return "true" if str(value).lower() in ("1", "true") else "false" if str(value).lower() in ("0", "false") else None


def _positions(by_position: dict, n: int):
    """Marks by position on the paper (n × p) for the CIC, None when papers differ in length."""
    lengths = {len(v) for v in by_position.values()}
    if len(by_position) != n or len(lengths) != 1:
        return None
    return np.array([by_position[i] for i in range(n)], dtype=float)


def _spec(info: ItemInfo, marks_of_column: np.ndarray) -> ItemSpec:
    """The item's ItemSpec; its max mark is the usual mark it carried on the papers."""
    asked = marks_of_column[marks_of_column > 0]
    max_mark = float(np.median(asked)) if asked.size else 1.0
    return ItemSpec(info.version_id, max_mark, info.random_guess,
                    tuple(OptionSpec(key, fraction) for key, _text, fraction in info.options))


def _options(qtype: str, payload: dict) -> tuple:
    """((key, text, fraction), …) of a choice question, () for other types."""
    if qtype == "multichoice" and payload.get("single", True):
        return tuple((a["id"], a.get("text", ""), float(Fraction(a["fraction"]))) for a in payload.get("answers", []))
    if qtype == "truefalse":
        correct = bool(payload.get("correct"))
        return (("true", "", 1.0 if correct else 0.0), ("false", "", 0.0 if correct else 1.0))
    return ()


def _item_infos(version_ids) -> tuple[ItemInfo, ...]:
    stmt = (select(QuestionVersion, Question.category_id, Category.path)
            .join(Question, QuestionVersion.question_id == Question.id)
            .join(Category, Question.category_id == Category.id)
            .where(QuestionVersion.id.in_(list(version_ids))))
    infos = []
    for version, category_id, path in db.session.execute(stmt):
        payload = version.payload or {}
        infos.append(ItemInfo(version.id, version.question_id, version.name, version.qtype, version.text,
                              category_id, path, random_guess_score(version.qtype, payload),
                              _options(version.qtype, payload)))
    return tuple(sorted(infos, key=lambda i: (i.category_path, i.name, i.version_id)))
