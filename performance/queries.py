"""Reads of product-based tasks."""
from sqlalchemy import select

from accounts.models import Agency, Role, User
from accounts.permissions import agency_scope
from extensions import db
from performance.models import ProductReport, Task, Verification

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
