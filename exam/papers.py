"""Drawing papers from the blueprint matrix: the pools of each cell (category ×
difficulty × type), the feasibility check for every candidate, and papers generated
before the window opens so that starting an attempt is one cheap read.

A cell's pool is the current versions of the *approved* questions of the rule's
category (and subcategories), of its difficulty and type when the rule names them.
"Avoid questions seen in the last N years" removes from a person's pools every
question they were asked in an official exam of the years ``exam.year - N`` …
``exam.year - 1`` (and any other official exam of the same year).
"""
import random
import secrets
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from flask_babel import gettext as _
from sqlalchemy import select

from accounts import audit
from accounts.models import Agency, User
from db_types import utcnow
from exam.models import Attempt, AttemptSlot, BlueprintRule, Exam, Paper
from extensions import db
from question_bank.models import Question, QuestionStatus, QuestionVersion
from question_bank.queries import subtree_ids

MAX_HALL_RULES = 10   # overlapping rules checked subset by subset (2^10 subsets at most)


class DrawError(Exception):
    """The blueprint cannot be drawn for someone (a cell has too few questions)."""


@dataclass(frozen=True)
class Problem:
    """One infeasible cell: ``rules`` (their labels) ask ``asked`` questions but only
    ``available`` are approved and unseen; ``people`` candidates are affected (0 = all)."""

    label: str
    asked: int
    available: int
    people: int = 0
    message: str = ""

    def __str__(self) -> str:
        if self.message:
            return self.message
        text = _("%(path)s: %(asked)d asked, %(available)d approved available",
                 path=self.label, asked=self.asked, available=self.available)
        if self.people:
            text += " " + _("(for %(n)d candidate(s), after removing questions they saw)", n=self.people)
        return text


def rule_label(rule: BlueprintRule) -> str:
    parts = [rule.category.path]
    if rule.difficulty:
        parts.append(rule.difficulty)
    if rule.qtype:
        parts.append(rule.qtype)
    return " · ".join(parts)


def cell_pool(rule: BlueprintRule) -> list[QuestionVersion]:
    """The approved current versions matching the rule's cell, by version id."""
    ids = subtree_ids(rule.category) if rule.include_subcategories else [rule.category_id]
    stmt = (select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
            .where(Question.category_id.in_(ids), Question.status == QuestionStatus.APPROVED,
                   QuestionVersion.qtype != "description"))
    if rule.difficulty:
        stmt = stmt.where(QuestionVersion.difficulty == rule.difficulty)
    if rule.qtype:
        stmt = stmt.where(QuestionVersion.qtype == rule.qtype)
    return list(db.session.scalars(stmt.order_by(QuestionVersion.id)))


def seen_questions(exam: Exam, user_ids) -> dict[int, set[int]]:
    """user id → question ids asked in official exams of the avoided years (empty when
    ``exam.avoid_seen_years`` is 0)."""
    seen: dict[int, set[int]] = {uid: set() for uid in user_ids}
    if not exam.avoid_seen_years or not seen:
        return seen
    stmt = (select(Attempt.user_id, QuestionVersion.question_id)
            .join(AttemptSlot, AttemptSlot.attempt_id == Attempt.id)
            .join(QuestionVersion, QuestionVersion.id == AttemptSlot.version_id)
            .join(Exam, Exam.id == Attempt.exam_id)
            .where(Exam.is_official.is_(True), Exam.id != exam.id,
                   Exam.year >= exam.year - exam.avoid_seen_years, Exam.year <= exam.year,
                   Attempt.user_id.in_(list(seen))))
    for user_id, question_id in db.session.execute(stmt):
        seen[user_id].add(question_id)
    return seen


def audience_users(exam: Exam) -> list[User]:
    """Active people in the exam's audience (agency subtrees, optionally one position)."""
    rows = [(r.agency, r.position) for r in exam.audience] or [(exam.agency, None)]
    people: dict[int, User] = {}
    for agency, position in rows:
        stmt = select(User).join(User.agency).where(User.active.is_(True))
        if agency is not None:
            stmt = stmt.where(Agency.path.startswith(agency.path))
        if position:
            stmt = stmt.where(User.position == position)
        people.update((u.id, u) for u in db.session.scalars(stmt))
    return sorted(people.values(), key=lambda u: u.id)


def _hall_shortfalls(rules, pools) -> list[Problem]:
    """Hall's condition per group of rules sharing questions: every subset of rules
    needs at least as many distinct questions as it asks."""
    problems, ids = [], [set(v.id for v in p) for p in pools]
    groups, todo = [], list(range(len(rules)))
    while todo:
        group, frontier = {todo.pop(0)}, True
        while frontier:
            frontier = [j for j in todo if any(ids[j] & ids[i] for i in group)]
            for j in frontier:
                group.add(j)
                todo.remove(j)
        groups.append(sorted(group))
    for group in groups:
        sizes = range(1, len(group) + 1) if len(group) <= MAX_HALL_RULES else (1, len(group))
        for size in sizes:
            for subset in combinations(group, size):
                asked = sum(rules[i].count for i in subset)
                available = len(set().union(*(ids[i] for i in subset)))
                if available < asked:
                    problems.append(Problem(" + ".join(rule_label(rules[i]) for i in subset), asked, available))
    return problems


def check_feasible(exam: Exam) -> list[Problem]:
    """Problems that make the blueprint impossible to draw for anyone, or (with
    "avoid seen questions") for some candidates; empty when every paper can be drawn."""
    rules = list(exam.rules)
    if not rules:
        return [Problem("", 1, 0, message=_("The blueprint has no rule."))]
    pools = [cell_pool(r) for r in rules]
    problems = _hall_shortfalls(rules, pools)
    if problems or not exam.avoid_seen_years:
        return problems
    users = audience_users(exam)
    found: dict[tuple, Problem] = {}
    for user_id, seen in seen_questions(exam, [u.id for u in users]).items():
        if not seen:
            continue
        for p in _hall_shortfalls(rules, [[v for v in pool if v.question_id not in seen] for pool in pools]):
            key = (p.label, p.asked)
            old = found.get(key)
            found[key] = Problem(p.label, p.asked, min(p.available, old.available) if old else p.available,
                                 (old.people if old else 0) + 1)
    return list(found.values())


def draw(exam: Exam, seed: int, seen: set[int] = frozenset(), pools=None) -> list[AttemptSlot]:
    """The paper for ``seed``: ``count`` versions per rule, without repetition and without
    questions in ``seen``; smallest pools are drawn first so overlapping rules rarely
    starve.  Question order and option order are shuffled as the exam allows.
    Deterministic in (seed, pools, seen).  Raises :class:`DrawError`."""
    rng, chosen = random.Random(seed), set()
    rules = list(exam.rules)
    pools = pools if pools is not None else [cell_pool(r) for r in rules]
    picked: dict[int, list] = {}
    for i in sorted(range(len(rules)), key=lambda i: (len(pools[i]) - rules[i].count, i)):
        pool = [v for v in pools[i] if v.id not in chosen and v.question_id not in seen]
        if len(pool) < rules[i].count:
            raise DrawError(f"{rule_label(rules[i])}: {rules[i].count} > {len(pool)}")
        picked[i] = rng.sample(pool, rules[i].count)
        chosen.update(v.id for v in picked[i])
    slots = []
    for i, rule in enumerate(rules):
        for version in picked[i]:
            slots.append(AttemptSlot(version=version, mark=rule.mark, choice_order=choice_order(exam, version, rng)))
    if exam.shuffle_questions:
        rng.shuffle(slots)
    for position, slot in enumerate(slots, start=1):
        slot.position = position
    return slots


def choice_order(exam, version, rng) -> list | None:
    payload = version.payload or {}
    if version.qtype == "multichoice":
        ids = [a["id"] for a in payload.get("answers", [])]
    elif version.qtype == "matching":
        ids = sorted({s["answer"] for s in payload.get("subquestions", [])})
    elif version.qtype == "ordering":
        ids = [i["id"] for i in payload.get("items", [])]
        rng.shuffle(ids)  # ordering questions are always shown out of order
        return ids
    else:
        return None
    if exam.shuffle_answers and payload.get("shuffle_answers", True):
        rng.shuffle(ids)
    return ids


def slots_from_paper(paper: Paper) -> list[AttemptSlot]:
    """The attempt's slots from a stored paper: no pool queries, versions by id only."""
    return [AttemptSlot(position=i, version_id=vid, mark=Fraction(mark), choice_order=order)
            for i, (vid, mark, order) in enumerate(paper.layout, start=1)]


def generate_papers(exam: Exam, actor=None) -> int:
    """Store a paper for every candidate of the audience who has neither a paper nor an
    attempt; returns how many were written (flushes).  Raises :class:`DrawError`."""
    users = audience_users(exam)
    have = set(db.session.scalars(select(Paper.user_id).where(Paper.exam_id == exam.id)))
    have |= set(db.session.scalars(select(Attempt.user_id).where(Attempt.exam_id == exam.id)))
    todo = [u for u in users if u.id not in have]
    pools = [cell_pool(r) for r in exam.rules]
    seen = seen_questions(exam, [u.id for u in todo])
    for user in todo:
        seed = secrets.randbits(31)
        slots = draw(exam, seed, seen[user.id], pools)
        layout = [[s.version.id, str(s.mark), s.choice_order] for s in slots]
        db.session.add(Paper(exam_id=exam.id, user_id=user.id, seed=seed, layout=layout))
    exam.papers_generated_at = utcnow()
    db.session.flush()
    audit.record("exam.generate_papers", exam, actor=actor, after={"papers": len(todo), "audience": len(users)})
    return len(todo)
