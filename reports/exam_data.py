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
from typing import NamedTuple

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
def parse_fraction(text: str | None) -> Fraction | None:
    """Parse a stored FractionType text once per distinct value (scores repeat a lot)."""
    return None if text is None else Fraction(text)


class AttemptRow(NamedTuple):
    """One attempt with its person, as the breakdowns need it (a tuple: 10,000 are built
    per request). ``percent`` is score / max × 100 from the exact values, None unless
    ``counted``."""

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
    percent: float | None

    @property
    def counted(self) -> bool:
        """Finished and fully marked: the attempts every statistic is computed on."""
        return self.percent is not None


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
                   Attempt.needs_grading, Attempt.state)
            .join(User, Attempt.user_id == User.id).join(Agency, User.agency_id == Agency.id)
            .where(Attempt.exam_id == exam.id).order_by(Attempt.id))
    rows = []
    for r in db.session.connection().execute(stmt).all():
        finished, pending = r[10] != AttemptState.IN_PROGRESS, r[9] or 0
        percent = _percent(r[6], r[7]) if finished and not pending else None
        rows.append(AttemptRow(r[0], r[1], r[2], r[3] or "", r[4], r[5], parse_fraction(r[6]),
                               parse_fraction(r[7]), r[8], pending, finished, percent))
    return rows


@lru_cache(maxsize=65536)
def _percent(score: str | None, most: str | None) -> float | None:
    """score / max × 100, exact before the one rounding to float; None without a maximum."""
    if score is None or not most or not Fraction(most):
        return None
    return float(Fraction(score) / Fraction(most) * 100)


@lru_cache(maxsize=4096)
def _float(text: str | None) -> float:
    return float("nan") if text is None else float(Fraction(text))


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
    """(attempt, position, version, mark, fraction, picked option or true/false) of every
    counted, not excluded slot: one query, JSON answers extracted by the database."""
    counted = (Attempt.exam_id == exam.id) & (Attempt.state != AttemptState.IN_PROGRESS) & (Attempt.needs_grading == 0)
    picked = func.coalesce(AttemptSlot.response["choice"].as_string(), AttemptSlot.response["value"].as_string())
    stmt = (select(AttemptSlot.attempt_id, AttemptSlot.position, AttemptSlot.version_id,
                   type_coerce(AttemptSlot.mark, String), type_coerce(AttemptSlot.fraction, String), picked)
            .join(Attempt, AttemptSlot.attempt_id == Attempt.id).where(counted, AttemptSlot.excluded.is_(False)))
    return db.session.connection().execute(stmt).all()  # Core rows: a third of the ORM's cost


def compute(exam: Exam, fingerprint_: str = "") -> ExamStats:
    """Read every counted slot of ``exam`` and run :func:`scoring.item_analysis.analyse`.

    Ungraded slots (descriptions) carry no mark and are left out. Vectorised: the slots
    become index arrays once, so 600,000 of them cost one pass in Python."""
    slots = [s for s in _slot_rows(exam) if s[4] is not None]
    count = len(slots)
    attempt_col, position_col, version_col, mark_col, fraction_col, picked_col = (
        zip(*slots) if slots else ((),) * 6)
    attempt_ids, row = np.unique(np.array(attempt_col, dtype=np.int64), return_inverse=True)
    version_ids, version_index = np.unique(np.array(version_col, dtype=np.int64), return_inverse=True)
    items = _item_infos(version_ids.tolist())
    sorted_col = {info.version_id: j for j, info in enumerate(items)}
    col = np.array([sorted_col[v] for v in version_ids.tolist()], dtype=np.int64)[version_index]
    mark = _decode(mark_col, _float)
    points = _decode(fraction_col, _float) * mark
    n, k = len(attempt_ids), len(items)
    marks, mark_max = np.full((n, k), np.nan), np.zeros((n, k))
    marks[row, col], mark_max[row, col] = points, mark
    choices = np.full((n, k), -1, dtype=np.int64)
    picked_index, picked_values = _codes(picked_col)
    table = np.array([[_option_lookup(info).get(str(v).lower(), -1) if v is not None else -1
                       for v in picked_values] for info in items], dtype=np.int64).reshape(k, len(picked_values))
    if count:
        choices[row, col] = table[col, picked_index]
    positions = np.array(position_col, dtype=np.int64)
    specs = [_spec(info, mark_max[:, j]) for j, info in enumerate(items)]
    analysis = analyse(marks, specs, choices=choices, position_marks=_positions(row, positions, points, n),
                       max_score=float(exam.max_score) if exam.rules else None)
    categories = tuple(dict.fromkeys((i.category_id, i.category_path) for i in items))
    cat_of = np.array([categories.index((i.category_id, i.category_path)) for i in items], dtype=np.int64)
    cat_score, cat_max = np.zeros((n, len(categories))), np.zeros((n, len(categories)))
    if count:
        np.add.at(cat_score, (row, cat_of[col]), points)
        np.add.at(cat_max, (row, cat_of[col]), mark)
    return ExamStats(fingerprint_, attempt_ids, categories, cat_score, cat_max, items, analysis)


def _codes(values) -> tuple[np.ndarray, list]:
    """(index of each value in the list of distinct values, that list): stored texts such
    as "1", "1/2" or "a" repeat, so each distinct one is converted once."""
    seen: dict = {}
    index = np.fromiter((seen.setdefault(v, len(seen)) for v in values), np.int64, len(values))
    return index, list(seen)


def _decode(values, convert) -> np.ndarray:
    index, distinct = _codes(values)
    return np.array([convert(v) for v in distinct], dtype=float)[index] if distinct else np.zeros(0)


def _option_lookup(info: "ItemInfo") -> dict:
    """Stored answer (lower-cased text) → option index; true/false also as SQLite's 1/0."""
    lookup = {str(key).lower(): o for o, (key, _text, _f) in enumerate(info.options)}
    if info.qtype == "truefalse":
        lookup.update({"1": lookup["true"], "0": lookup["false"]})
    return lookup


def _positions(row, positions, points, n: int):
    """Marks by position on the paper (n × p) for the CIC; None when papers differ."""
    if not n:
        return None
    grid = np.full((n, int(positions.max())), np.nan)
    grid[row, positions - 1] = points
    grid = grid[:, ~np.isnan(grid).all(axis=0)]
    return None if np.isnan(grid).any() else grid


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
