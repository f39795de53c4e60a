"""Reads of product-based tasks."""
from datetime import date

from sqlalchemy import and_, case, exists, func, or_, select

from accounts.models import Agency, Role, User
from accounts.permissions import agency_scope
from extensions import db
from performance.models import (CatalogueItem, ChangeState, Commitment, CommitmentChange, ProductReport, Task,
                                Verification)

SUPERVISE = (Role.SUPERVISOR, Role.HEAD)


def tasks_of(user, year: int) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.assignee_id == user.id, Task.year == year)
                                   .order_by(Task.period, Task.deadline, Task.id)))


def team_tasks(supervisor, year: int) -> list[Task]:
    """Tasks of people the supervisor reaches (not their own), by person and period."""
    stmt = (select(Task).join(User, Task.assignee_id == User.id).join(User.agency)
            .where(agency_scope(supervisor, *SUPERVISE), Task.year == year, User.id != supervisor.id)
            .order_by(Agency.path, User.full_name, Task.period, Task.id))
    return list(db.session.scalars(stmt))


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


def overview(reader, year: int, today: date) -> list[dict]:
    """Progress per agency in the reader's scope, each with its own counts and the totals of
    its subtree: tasks, verified, reported awaiting verification, overdue (deadline passed,
    nothing reported), delivered late.  Aggregated in SQL, rolled up by path."""
    reported = exists().where(ProductReport.task_id == Task.id)
    verified = exists().where(Verification.report_id == ProductReport.id, ProductReport.task_id == Task.id)
    late = exists().where(ProductReport.task_id == Task.id, ProductReport.delivered_on > Task.deadline)
    count = lambda cond: func.sum(case((cond, 1), else_=0))   # noqa: E731
    stmt = (select(User.agency_id, func.count(Task.id), count(verified), count(and_(reported, ~verified)),
                   count(and_(~reported, Task.deadline < today)), count(late))
            .join(User, Task.assignee_id == User.id).join(User.agency)
            .where(agency_scope(reader, *OVERVIEW), Task.year == year).group_by(User.agency_id))
    own = {row[0]: row[1:] for row in db.session.execute(stmt)}
    people = dict(db.session.execute(select(User.agency_id, func.count(User.id)).join(User.agency)
                                     .where(agency_scope(reader, *OVERVIEW), User.active, User.rated)
                                     .group_by(User.agency_id)).all())
    agencies = list(db.session.scalars(select(Agency).where(agency_scope(reader, *OVERVIEW)).order_by(Agency.path)))
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
    """The oldest overdue tasks and the oldest reports awaiting verification in scope."""
    reported = exists().where(ProductReport.task_id == Task.id)
    overdue = (select(Task).join(User, Task.assignee_id == User.id).join(User.agency)
               .where(agency_scope(reader, *OVERVIEW), Task.year == year, Task.deadline < today, ~reported)
               .order_by(Task.deadline, Task.id).limit(limit))
    waiting = (select(ProductReport).join(Task).join(User, Task.assignee_id == User.id).join(User.agency)
               .outerjoin(Verification, Verification.report_id == ProductReport.id)
               .where(agency_scope(reader, *OVERVIEW), Task.year == year, Verification.id.is_(None))
               .order_by(ProductReport.reported_at).limit(limit))
    return {"overdue": list(db.session.scalars(overdue)), "waiting": list(db.session.scalars(waiting))}
