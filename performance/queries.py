"""Reads of product-based tasks."""
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from accounts.models import Agency, Role, User
from accounts.permissions import agency_scope, can_reach
from extensions import db
from performance.models import (CatalogueItem, ChangeState, Commitment, CommitmentChange, ProductReport, Task,
                                Verification)
from text_utils import person_sort_key

SUPERVISE = (Role.SUPERVISOR, Role.HEAD)


def tasks_of(user, year: int) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.assignee_id == user.id, Task.year == year)
                                   .order_by(Task.period, Task.deadline, Task.id)))


def team_tasks(supervisor, year: int) -> list[Task]:
    """Tasks of people the supervisor reaches (not their own), by person and period."""
    stmt = (select(Task).join(User, Task.assignee_id == User.id).join(User.agency)
            .where(agency_scope(supervisor, *SUPERVISE), Task.year == year, User.id != supervisor.id)
            .add_columns(Agency.path, User.full_name))
    rows = db.session.execute(stmt).all()
    order = lambda r: (r.path, person_sort_key(r.full_name), r.Task.assignee_id, r.Task.period, r.Task.id)  # noqa: E731
    return [r.Task for r in sorted(rows, key=order)]


def awaiting_verification(supervisor) -> list[ProductReport]:
    stmt = (select(ProductReport).join(Task).join(User, Task.assignee_id == User.id).join(User.agency)
            .outerjoin(Verification, Verification.report_id == ProductReport.id).where(agency_scope(supervisor, *SUPERVISE), Verification.id.is_(None),
                                           User.id != supervisor.id)
            .order_by(ProductReport.reported_at))
    return [r for r in db.session.scalars(stmt) if r is r.task.latest_report]


def catalogue_for(user, *roles) -> list[CatalogueItem]:
    """Active catalogue items the reader may use: owned by an agency in their scope or by an
    ancestor of their own agency."""
    ancestors = [a for a in user.agency.path.strip("/").split("/") if a]
    stmt = (select(CatalogueItem).join(CatalogueItem.agency)
            .where(CatalogueItem.active, or_(agency_scope(user, *(roles or SUPERVISE)),
                                             Agency.id.in_([int(a) for a in ancestors])))
            .order_by(CatalogueItem.position, CatalogueItem.code))
    return list(db.session.scalars(stmt))


def pending_changes(supervisor) -> list[CommitmentChange]:
    stmt = (select(CommitmentChange).join(User, CommitmentChange.user_id == User.id).join(User.agency)
            .where(agency_scope(supervisor, *SUPERVISE), CommitmentChange.state == ChangeState.PENDING,
                   User.id != supervisor.id)
            .order_by(CommitmentChange.requested_at))
    return list(db.session.scalars(stmt))


def changes_of(user, year: int) -> list[CommitmentChange]:
    return list(db.session.scalars(select(CommitmentChange).where(CommitmentChange.user_id == user.id,
                                                                  CommitmentChange.year == year)
                                   .order_by(CommitmentChange.id.desc())))


def revisions(user, year: int) -> list[Commitment]:
    return list(db.session.scalars(select(Commitment).where(Commitment.user_id == user.id, Commitment.year == year)
                                   .order_by(Commitment.revision.desc())))


OVERVIEW = (Role.HEAD, Role.HR_OFFICER)


def overview(reader, year: int, today: date, roles=OVERVIEW) -> list[dict]:
    """Progress per agency in the reader's scope (``roles``: the head of agency's view by
    default, the supervisor's unit progress with ``SUPERVISE``), each with its own counts and
    the totals of its subtree: tasks, verified, reported awaiting verification, overdue
    (deadline passed, nothing reported), delivered late.  A unit task counts in its unit.
    Aggregated in SQL, rolled up by path."""
    reported = exists().where(ProductReport.task_id == Task.id)
    verified = exists().where(Verification.report_id == ProductReport.id, ProductReport.task_id == Task.id)
    late = exists().where(ProductReport.task_id == Task.id, ProductReport.delivered_on > Task.deadline)
    count = lambda cond: func.sum(case((cond, 1), else_=0))   # noqa: E731
    owner = func.coalesce(Task.unit_id, User.agency_id)
    stmt = (select(owner, func.count(Task.id), count(verified), count(and_(reported, ~verified)),
                   count(and_(~reported, Task.deadline < today)), count(late))
            .join(User, Task.assignee_id == User.id).join(Agency, Agency.id == owner)
            .where(agency_scope(reader, *roles), Task.year == year).group_by(owner))
    own = {row[0]: row[1:] for row in db.session.execute(stmt)}
    people = dict(db.session.execute(select(User.agency_id, func.count(User.id)).join(User.agency)
                                     .where(agency_scope(reader, *roles), User.active, User.rated)
                                     .group_by(User.agency_id)).all())
    agencies = list(db.session.scalars(select(Agency).where(agency_scope(reader, *roles)).order_by(Agency.path)))
    keys = ("tasks", "verified", "awaiting", "overdue", "late")
    rows = {a.id: {"agency": a, "people": 0, **{k: 0 for k in keys}} for a in agencies}
    for a in agencies:
        counts = dict(zip(keys, own.get(a.id, (0,) * 5)))
        for ancestor in (int(x) for x in a.path.strip("/").split("/")):
            if ancestor in rows:
                rows[ancestor]["people"] += people.get(a.id, 0)
                for k in keys:
                    rows[ancestor][k] += int(counts[k] or 0)
    base = min((a.path.count("/") for a in agencies), default=0)
    for r in rows.values():
        r["depth"] = r["agency"].path.count("/") - base
    return [rows[a.id] for a in agencies]


def bottlenecks(reader, year: int, today: date, limit: int = 20) -> dict:
    """The oldest overdue tasks and the oldest reports awaiting verification in scope; each
    overdue task of a cascade comes with its chain up (``chains``: task id → [parent,
    grandparent …]) so the head sees which top task it holds back."""
    reported = exists().where(ProductReport.task_id == Task.id)
    owner = func.coalesce(Task.unit_id, User.agency_id)
    overdue = (select(Task).join(User, Task.assignee_id == User.id).join(Agency, Agency.id == owner)
               .where(agency_scope(reader, *OVERVIEW), Task.year == year, Task.deadline < today, ~reported)
               .order_by(Task.deadline, Task.id).limit(limit))
    waiting = (select(ProductReport).join(Task).join(User, Task.assignee_id == User.id)
               .join(Agency, Agency.id == owner)
               .outerjoin(Verification, Verification.report_id == ProductReport.id)
               .where(agency_scope(reader, *OVERVIEW), Task.year == year, Verification.id.is_(None))
               .order_by(ProductReport.reported_at).limit(limit))
    late = list(db.session.scalars(overdue))
    return {"overdue": late, "waiting": list(db.session.scalars(waiting)),
            "chains": {t.id: ancestors(t) for t in late if t.parent_id is not None}}


# --- Units and cascades (issue 5: assignment to a unit; a director's task split into children) ---

def unit_head(agency: Agency) -> User | None:
    """Who answers for a task assigned to ``agency``: among its active leaders (``is_leader``
    with ``agency`` as their own agency), the one holding the ``head`` role at that agency,
    else the first by id — the order :func:`accounts.queries.direct_manager` gives deputies."""
    leaders = db.session.scalars(select(User).where(User.agency_id == agency.id, User.is_leader, User.active)
                                 .order_by(User.id)).all()
    return min(leaders, default=None, key=lambda u: (
        not any(r.role == Role.HEAD and r.agency_id == agency.id for r in u.roles), u.id))


def assignable_units(assigner) -> list[tuple[Agency, User]]:
    """(unit, its head) for every agency in the assigner's supervising scope that has a head
    other than the assigner (nobody assigns a task to themselves), in tree order."""
    out = []
    for agency in db.session.scalars(select(Agency).where(agency_scope(assigner, *SUPERVISE)).order_by(Agency.path)):
        head = unit_head(agency)
        if head is not None and head.id != assigner.id:
            out.append((agency, head))
    return out


def unit_task_ids(year: int, scope: Agency | None = None) -> set[int]:
    """Ids of the year's tasks assigned to a unit (optionally to a unit in ``scope``'s subtree).

    For the rating inputs: such a task is in its head's list (``assignee_id``) and is one of
    the unit's own targets, so ``classification.inputs.task_results`` marks its
    ``ProductResult`` with ``unit_target=True`` (nd90 leaders' unit condition; nd335 counts it
    with the leader's own products).  One query."""
    stmt = select(Task.id).where(Task.year == year, Task.unit_id.is_not(None))
    if scope is not None:
        stmt = stmt.join(Agency, Task.unit_id == Agency.id).where(Agency.path.startswith(scope.path))
    return set(db.session.scalars(stmt))


def unit_tasks(agency: Agency, year: int) -> list[Task]:
    """The unit's own tasks of ``year`` (assigned to the agency itself, not to its people)."""
    return list(db.session.scalars(select(Task).where(Task.unit_id == agency.id, Task.year == year)
                                   .order_by(Task.period, Task.deadline, Task.id)))


def task_agency(task: Task) -> Agency:
    """The agency a task belongs to: the unit for a unit task, else the assignee's agency."""
    return task.unit if task.unit_id is not None else task.assignee.agency


def can_see_task(user, task: Task) -> bool:
    """The chain of command of ``task`` — the only people who see it and its evidence files:
    its assignee (for a unit task, the unit's head); whoever holds a supervising role at the
    task's agency (:func:`task_agency`) or above; the assignee of any ancestor task (a director
    sees the tree split from their task).  A colleague of the unit is none of these."""
    if task.assignee_id == user.id or can_reach(user, task_agency(task), *SUPERVISE):
        return True
    node, seen = task.parent, set()
    while node is not None and node.id not in seen:
        if node.assignee_id == user.id:
            return True
        seen.add(node.id)
        node = node.parent
    return False


def accepted_value(task: Task) -> Fraction | None:
    """The verified accepted value of the latest report (DECISIONS.md 2), None if none is."""
    report = task.latest_report
    return report.verification.accepted_value if report is not None and report.verification else None


@dataclass(frozen=True)
class Rollup:
    """A parent task's progress from its children (see :func:`rollup`)."""

    children: int
    verified: int
    overdue: int
    assigned: Fraction      # Σ child target × child factor, in standard products
    accepted: Fraction      # Σ child verified accepted × child factor, in standard products
    progress: Fraction      # accepted / assigned (0 when nothing is assigned)
    in_parent_units: Fraction   # accepted ÷ the parent's factor: the parent's own unit of measure


def rollup(parent: Task, today: date) -> Rollup | None:
    """The parent's progress rolled up from its direct children; None without children.

    ``progress = Σ accepted_i × factor_i / Σ target_i × factor_i`` over the children i, with
    ``accepted_i`` the child's *verified* accepted value (0 while unreported or unverified)
    and ``factor_i`` its conversion factor to the standard product (Decree 335 "sản phẩm quy
    đổi").  So children counted in different units of measure — from each other or from the
    parent — are added in standard products; the value in the parent's own unit is
    ``Σ accepted_i × factor_i / parent factor``.  Exact Fractions; not capped at 1 (a child
    that exceeds its target shows as such; the rating itself caps per task, RULES.md §4a).
    Worked example: children 6 "văn bản" × 1 (accepted 3) and 2 "đề án" × 2 (accepted 2) →
    (3·1 + 2·2) / (6·1 + 2·2) = 7/10.  A grandchild counts in its own parent's roll-up,
    never twice: each level reports and has verified its own product."""
    kids = list(parent.children)
    if not kids:
        return None
    assigned = sum((c.target * c.factor for c in kids), Fraction(0))
    values = [accepted_value(c) for c in kids]
    accepted = sum((v * c.factor for c, v in zip(kids, values) if v is not None), Fraction(0))
    overdue = sum(1 for c in kids if c.latest_report is None and c.deadline < today)
    return Rollup(children=len(kids), verified=sum(v is not None for v in values), overdue=overdue,
                  assigned=assigned, accepted=accepted, progress=accepted / assigned if assigned else Fraction(0),
                  in_parent_units=accepted / parent.factor)


def tree(task: Task) -> list[tuple[Task, int]]:
    """``task``'s descendants in depth-first order with their depth (1 = a child)."""
    out, stack = [], [(c, 1) for c in reversed(task.children)]
    while stack:
        node, depth = stack.pop()
        out.append((node, depth))
        stack.extend((c, depth + 1) for c in reversed(node.children))
    return out


def ancestors(task: Task) -> list[Task]:
    """The parent, its parent … up to the top of the cascade."""
    out, node = [], task.parent
    while node is not None and node not in out:
        out.append(node)
        node = node.parent
    return out


def parents_among(tasks) -> set[int]:
    """Ids of ``tasks`` that have children (one query)."""
    ids = [t.id for t in tasks]
    if not ids:
        return set()
    return set(db.session.scalars(select(Task.parent_id).where(Task.parent_id.in_(ids)).distinct()))


_child = aliased(Task)


def cascades(reader, year: int, today: date, *roles: Role, limit: int = 50) -> list[dict]:
    """The top tasks of the cascades in the reader's scope (``roles``; default supervising
    and overview roles) — tasks with children whose own parent is out of scope or absent —
    each with its roll-up, its whole tree and the overdue tasks in the tree; the ``limit``
    earliest due (a province-wide reader would otherwise load every tree)."""
    roles = roles or (*SUPERVISE, *OVERVIEW)
    stmt = (select(Task).join(User, Task.assignee_id == User.id).join(User.agency)
            .where(or_(agency_scope(reader, *roles), Task.assignee_id == reader.id), Task.year == year,
                   exists().where(_child.parent_id == Task.id))
            .order_by(Task.deadline, Task.id))
    found = list(db.session.scalars(stmt))
    ids = {t.id for t in found}
    out = []
    for top in (t for t in found if t.parent_id not in ids):
        if len(out) >= limit:
            break
        nodes = tree(top)
        out.append({"task": top, "rollup": rollup(top, today), "tree": nodes,
                    "overdue": [n for n, _d in nodes if n.latest_report is None and n.deadline < today]})
    return out
