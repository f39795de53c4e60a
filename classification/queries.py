"""Reads of the classification feature: rows in scope, the units' workflow states, history."""
from sqlalchemy import and_, or_, select

from accounts.models import Agency, AuditLog, User
from classification.models import RatingWorkflow, YearlyClassification
from extensions import db
from text_utils import person_sort_key

WORKFLOW_ACTIONS = ("rating.run", "rating.propose", "rating.return_to_draft", "rating.council_closed",
                    "rating.approve", "rating.reopen")


def rows_of(agency: Agency, year: int) -> list[YearlyClassification]:
    """The stored classification of everyone under ``agency``, in tree order, then by name
    in Vietnamese order (DECISIONS 23)."""
    stmt = (select(YearlyClassification, Agency.path, User.full_name)
            .join(User, YearlyClassification.user_id == User.id).join(User.agency)
            .where(YearlyClassification.year == year, Agency.path.startswith(agency.path)))
    rows = db.session.execute(stmt).all()
    order = lambda r: (r.path, person_sort_key(r.full_name), r.YearlyClassification.user_id)  # noqa: E731
    return [r.YearlyClassification for r in sorted(rows, key=order)]


def rating_units(agency: Agency) -> list[Agency]:
    """The rating units at or under ``agency`` (the agency itself when it is one or the root)."""
    stmt = select(Agency).where(Agency.path.startswith(agency.path)).order_by(Agency.path)
    return [a for a in db.session.scalars(stmt) if a.is_rating_unit or a.parent_id is None]


def workflows(units, year: int) -> dict[int, RatingWorkflow]:
    ids = [u.id for u in units]
    return {w.agency_id: w for w in db.session.scalars(
        select(RatingWorkflow).where(RatingWorkflow.year == year, RatingWorkflow.agency_id.in_(ids)))}


def history(wf: RatingWorkflow | None, rows) -> list[tuple[AuditLog, str]]:
    """(audit record, actor's name) of the unit's workflow and of the council's decisions
    on its rows, oldest first."""
    if wf is None:
        return []
    ids = [str(r.id) for r in rows]
    condition = and_(AuditLog.object_type == "RatingWorkflow", AuditLog.object_id == str(wf.id))
    if ids:
        condition = or_(condition, and_(AuditLog.object_type == "YearlyClassification",
                                        AuditLog.action == "rating.decide", AuditLog.object_id.in_(ids)))
    entries = list(db.session.scalars(select(AuditLog).where(condition).order_by(AuditLog.id)))
    ids = {e.actor_id for e in entries if e.actor_id}
    names = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all()) if ids else {}
    return [(e, names.get(e.actor_id, "")) for e in entries]
