"""The quarter's rating of a rating unit and its lightweight approve/lock.

A quarter's rating is its score under a point profile (general + task points from the
quarter's verified products, DECISIONS.md 3) and the band of that score; the engine
computes it with the year (``YearlyClassification.details``: period scores and levels).
Approving a quarter needs every due review of the quarter (:mod:`classification.stages`)
and an engine run; it keeps a snapshot of each person's quarter as approved and locks the
quarter's general-criteria points.  An audited reopen by HR (with a reason) unlocks it.
Every function flushes; the caller commits.
"""
import re

from flask_babel import gettext as _
from sqlalchemy import select

from accounts import audit
from accounts.models import Agency
from classification.models import PeriodApproval
from classification.sheets import decode
from classification.stages import period_stage
from classification.workflow import WorkflowError, unit_rows
from db_types import utcnow
from extensions import db

PERIOD = re.compile(r"^(20\d\d)-Q([1-4])$")


def parse(period: str) -> int | None:
    """The year of a quarter label "2026-Q2", or None when it is not one."""
    m = PERIOD.match(period or "")
    return int(m.group(1)) if m else None


def approval(unit: Agency, period: str, create: bool = False) -> PeriodApproval | None:
    row = db.session.scalars(select(PeriodApproval).where(PeriodApproval.agency_id == unit.id,
                                                          PeriodApproval.period == period)).first()
    if row is None and create:
        row = PeriodApproval(agency_id=unit.id, period=period, approved=False, snapshot={})
        row.agency = unit
        db.session.add(row)
        db.session.flush()
    return row


def is_locked(user, period: str) -> bool:
    """True when the quarter of ``user``'s rating unit is approved."""
    row = approval(user.agency.rating_unit(), period)
    return bool(row and row.approved)


def quarter_rows(unit: Agency, period: str) -> list[dict]:
    """Per person of the unit: the quarter's general and task points, score and band, from
    the stored engine run (None where the quarter is not rated)."""
    out = []
    for row in unit_rows(unit, parse(period)):
        details = decode(row.details or {})
        score = details.get("period_scores", {}).get(period)
        level = details.get("period_levels", {}).get(period)
        out.append({"user": row.user, "profile": row.profile, "score": score,
                    "general": details.get("general_points", {}).get(period),
                    "task": details.get("task_points", {}).get(period),
                    "level": level.value if level is not None else None})
    return out


def approve(unit: Agency, period: str, actor) -> PeriodApproval:
    """Approve and lock the unit's quarter; its snapshot keeps the scores as approved."""
    row = approval(unit, period, create=True)
    if row.approved:
        raise WorkflowError(_("This quarter is already approved and locked."))
    stage = period_stage(unit, period)
    if stage is not None and stage.review_missing:
        raise WorkflowError(_("Reviews are missing for %(names)s.",
                              names=", ".join(p.full_name for p in stage.review_missing)))
    rated = [r for r in quarter_rows(unit, period) if r["score"] is not None]
    if not rated:
        raise WorkflowError(_("Run the rating before approving the quarter."))
    row.snapshot = {str(r["user"].id): {"score": str(r["score"]), "level": r["level"],
                                        "general": str(r["general"]) if r["general"] is not None else None,
                                        "task": str(r["task"]) if r["task"] is not None else None}
                    for r in rated}
    row.approved, row.approved_by_id, row.approved_at = True, actor.id, utcnow()
    db.session.flush()
    audit.record("rating.quarter_approve", row, actor=actor, before={"approved": False},
                 after={"approved": True, "unit": unit.code, "period": period, "people": len(rated)})
    return row


def reopen(unit: Agency, period: str, actor, reason: str) -> PeriodApproval:
    """HR reopens an approved quarter (reason required, audited)."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("A reason is required for this step."))
    row = approval(unit, period)
    if row is None or not row.approved:
        raise WorkflowError(_("This quarter is not approved."))
    row.approved, row.reopened = False, row.reopened + 1
    db.session.flush()
    audit.record("rating.quarter_reopen", row, actor=actor, before={"approved": True, "snapshot": row.snapshot},
                 after={"approved": False, "unit": unit.code, "period": period}, reason=reason)
    return row


def approvals(unit: Agency, year: int) -> dict[str, PeriodApproval]:
    return {a.period: a for a in db.session.scalars(select(PeriodApproval).where(
        PeriodApproval.agency_id == unit.id, PeriodApproval.period.like(f"{year}-Q%")))}
