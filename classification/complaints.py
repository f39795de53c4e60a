"""Complaints about a published rating (DECISIONS.md 25; Decree 335/2025 has a complaints
article, cited here as "complaints" only: its text was not read).

A person may file a complaint about their own rating from the publication time until
``RatingSettings.complaint_days`` days after it (a local setting, default 15; UNVERIFIED
against the decree).  The council secretary records the answer: *rejected* (the level
stands) or *upheld* with a new level, which goes through the audited council decision
path: the unit's approved rating is reopened (audited, with the complaint as the reason),
the council's decision changes the level (audited override), and the council closes and
the head approves again as usual.  Every step writes an audit record; functions flush.
"""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from accounts import audit
from classification import workflow
from classification.models import ClassificationState as S
from classification.models import ComplaintStatus, RatingComplaint, RatingSettings, YearlyClassification
from db_types import utcnow
from extensions import db

DEFAULT_DAYS = 15


def complaint_days(year: int) -> int:
    row = db.session.scalars(select(RatingSettings).where(RatingSettings.year == year)).first()
    return row.complaint_days if row is not None and row.complaint_days is not None else DEFAULT_DAYS


def until(wf):
    """The end of the complaint period of a published workflow, else None."""
    if wf is None or wf.published_at is None:
        return None
    return wf.published_at + timedelta(days=complaint_days(wf.year))


def window(row: YearlyClassification):
    """(opens, closes) of the complaint period of ``row``'s unit, or None before publication."""
    wf = workflow.workflow(row.user.agency.rating_unit(), row.year)
    if wf is None or wf.published_at is None:
        return None
    return wf.published_at, wf.published_at + timedelta(days=complaint_days(row.year))


def complaints_of(row: YearlyClassification) -> list[RatingComplaint]:
    return list(db.session.scalars(select(RatingComplaint).where(RatingComplaint.classification_id == row.id)
                                   .order_by(RatingComplaint.id)))


def open_for(row: YearlyClassification, now=None) -> bool:
    """True when the person may file a complaint about ``row`` now."""
    span, now = window(row), now or utcnow()
    return (span is not None and span[0] <= now <= span[1]
            and not any(c.status == ComplaintStatus.OPEN for c in complaints_of(row)))


def file(row: YearlyClassification, text: str, actor) -> RatingComplaint:
    """The person files a complaint about their own published rating."""
    text = (text or "").strip()
    if actor.id != row.user_id:
        raise workflow.WorkflowError(_("Only the person rated can complain about a rating."))
    span, now = window(row), utcnow()
    if span is None or now < span[0]:
        raise workflow.WorkflowError(_("The rating is not published yet."))
    if now > span[1]:
        raise workflow.WorkflowError(_("The period for complaints ended on %(date)s.",
                                       date=span[1].strftime("%d/%m/%Y")))
    if any(c.status == ComplaintStatus.OPEN for c in complaints_of(row)):
        raise workflow.WorkflowError(_("Your complaint is already with the council."))
    if not text:
        raise workflow.WorkflowError(_("Say what the complaint is about."))
    item = RatingComplaint(classification_id=row.id, user_id=row.user_id, year=row.year, text=text,
                           level_complained=row.level, status=ComplaintStatus.OPEN)
    db.session.add(item)
    db.session.flush()
    audit.record("rating.complaint", item, actor=actor,
                 after={"year": row.year, "level": row.level, "person": row.user.full_name}, reason=text)
    return item


def answer(item: RatingComplaint, outcome: str, text: str, actor, new_level: str | None = None) -> RatingComplaint:
    """The council's answer: ``outcome`` "rejected" (the level stands) or "upheld" with
    ``new_level``, recorded through the council decision path (reopen → decide)."""
    text = (text or "").strip()
    if item.status != ComplaintStatus.OPEN:
        raise workflow.WorkflowError(_("This complaint is already answered."))
    if not text:
        raise workflow.WorkflowError(_("A reason is required for this step."))
    row = item.classification
    if outcome == "upheld":
        if not new_level or new_level == row.level:
            raise workflow.WorkflowError(_("An upheld complaint changes the level: choose the new level."))
        unit = row.user.agency.rating_unit()
        reason = _("Complaint of %(name)s upheld: %(answer)s", name=row.user.full_name, answer=text)
        if workflow.state_of(unit, row.year) in (S.APPROVED, S.DECIDED):
            workflow.reopen(unit, row.year, actor, reason)
        workflow.decide(row, new_level, reason, actor)
        item.status, item.new_level = ComplaintStatus.UPHELD, row.level
    elif outcome == "rejected":
        item.status = ComplaintStatus.REJECTED
    else:
        raise workflow.WorkflowError(_("Choose whether the complaint is upheld or rejected."))
    item.answer, item.answered_by_id, item.answered_at = text, actor.id, utcnow()
    db.session.flush()
    audit.record(f"rating.complaint_{item.status.value}", item, actor=actor, before={"status": "open"},
                 after={"status": item.status.value, "level": row.level, "level_complained": item.level_complained,
                        "person": row.user.full_name}, reason=text)
    return item


def unit_complaints(unit, year: int) -> list[RatingComplaint]:
    """The complaints of the people of ``unit`` for ``year``, open first."""
    rows = {r.id for r in workflow.unit_rows(unit, year)}
    if not rows:
        return []
    items = db.session.scalars(select(RatingComplaint).where(RatingComplaint.classification_id.in_(rows))
                               .order_by(RatingComplaint.id)).all()
    return sorted(items, key=lambda c: (c.status != ComplaintStatus.OPEN, c.id))
