"""The yearly workflow of one rating unit (DECISIONS.md 6; DESIGN.md flow 6):

    draft ──propose──▶ proposed ──close council──▶ decided ──approve──▶ approved (locked)
      ▲                 │   ▲ council decisions        │                    │
      └──return to draft┘   └────────────reopen────────┴────────reopen──────┘

Before the proposal come the per-person stages, self-assessment and the supervisor's
review (:mod:`classification.stages`): proposing is refused while reviews are missing
unless HR records a reason (audited with who is missing).  After approval HR sets the
publication time (DECISIONS.md 25): before it nobody sees their own level; after it a
person may complain within the year's ``complaint_days`` (:mod:`classification.complaints`).

The engine may run only in draft.  While proposed, the council secretary (or HR) records
the council's decision per person: confirm the level or change it with a reason (the
override), audited with before/after/reason.  The council closes only when everyone
marked ``needs_council`` is decided and no quota group exceeds its cap; approval locks the
year; only an audited reopen by HR unlocks it.  Every function here flushes; the caller
commits.
"""
from datetime import date
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from accounts import audit
from accounts.models import Agency, User
from classification.inputs import engine_settings
from classification.models import ClassificationState as S
from classification.models import QuotaException, RatingWorkflow, YearlyClassification
from db_types import utcnow
from extensions import db
from scoring.rating import Level, load_policy, quota_cap
from text_utils import person_sort_key

LEVELS = (Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED)
# Levels set by law whatever the score or a council's view (Decree 335 Art. 20 cl. 4(b)–(d);
# Decree 90 Art. 2 cl. 3, 5; Decree 233 Art. 14): correct the records and run again instead.
FORCED = {"forced_discipline", "forced_degradation", "forced_corruption", "not_rated_short", "no_period_worked"}
EXCEPTION_MAX = Fraction(1, 4)    # Decree 233 Art. 12 cl. 6(b); QĐ 366-QĐ/TW Art. 11
NORMAL_RATE = Fraction(1, 5)


class WorkflowError(ValueError):
    """A step the workflow's state does not allow; the message is for the user."""


def workflow(unit: Agency, year: int, create: bool = False) -> RatingWorkflow | None:
    row = db.session.scalars(select(RatingWorkflow).where(RatingWorkflow.agency_id == unit.id,
                                                          RatingWorkflow.year == year)).first()
    if row is None and create:
        row = RatingWorkflow(agency_id=unit.id, year=year, state=S.DRAFT)
        row.agency = unit
        db.session.add(row)
        db.session.flush()
    return row


def state_of(unit: Agency, year: int) -> S | None:
    row = workflow(unit, year)
    return row.state if row else None


def unit_rows(unit: Agency, year: int) -> list[YearlyClassification]:
    """The classification rows of the people whose rating unit is ``unit``, in tree order, then
    by name in Vietnamese order (DECISIONS 23)."""
    stmt = (select(YearlyClassification).join(User, YearlyClassification.user_id == User.id).join(User.agency)
            .where(YearlyClassification.year == year, Agency.path.startswith(unit.path)))
    rows = [r for r in db.session.scalars(stmt) if r.user.agency.rating_unit().id == unit.id]
    return sorted(rows, key=lambda r: (r.user.agency.path, person_sort_key(r.user.full_name), r.user_id))


def _require(row: RatingWorkflow | None, *states: S) -> RatingWorkflow:
    if row is None or row.state not in states:
        current = row.state.value if row else "none"
        if row is not None and row.locked:
            raise WorkflowError(_("The rating is approved and locked; HR must reopen it first."))
        raise WorkflowError(_("This step is not possible while the rating is “%(state)s”.", state=current))
    return row


def _move(row: RatingWorkflow, to: S, actor, action: str, reason: str = "", **after) -> None:
    before = row.state
    row.state = to
    for item in unit_rows(row.agency, row.year):
        item.state = to
    db.session.flush()
    audit.record(action, row, actor=actor, before={"state": before.value},
                 after={"state": to.value, "unit": row.agency.code, "year": row.year, **after}, reason=reason)


def propose(unit: Agency, year: int, actor, reason: str = "") -> RatingWorkflow:
    """HR proposes the engine's list to the council.  Refused while supervisors' reviews
    are missing (:func:`classification.stages.missing_reviews`) unless ``reason`` says why
    the proposal cannot wait; the reason and who is missing go into the audit record."""
    from classification.stages import missing_reviews

    row = _require(workflow(unit, year), S.DRAFT)
    if not unit_rows(unit, year):
        raise WorkflowError(_("Run the rating before proposing it."))
    missing = missing_reviews(unit, year)
    reason = (reason or "").strip()
    if missing and not reason:
        raise WorkflowError(ngettext("%(num)d review by a supervisor is missing: record a reason to propose anyway.",
                                     "%(num)d reviews by supervisors are missing: record a reason to propose anyway.",
                                     len(missing)))
    row.review_waiver = reason if missing else ""
    extra = {"missing_reviews": [f"{p} {u.full_name}" for p, u in missing]} if missing else {}
    _move(row, S.PROPOSED, actor, "rating.propose", reason if missing else "", **extra)
    return row


def publish(unit: Agency, year: int, actor, when) -> RatingWorkflow:
    """Set the time from which the unit's people see their level (DECISIONS.md 25).  Only
    an approved rating is published; the time may be moved while it has not come."""
    row = _require(workflow(unit, year), S.APPROVED)
    if row.published_at is not None and row.published_at <= utcnow():
        raise WorkflowError(_("The results are already published."))
    before = {"published_at": row.published_at.isoformat() if row.published_at else None}
    row.published_at = when
    db.session.flush()
    audit.record("rating.publish", row, actor=actor, before=before,
                 after={"published_at": when.isoformat(), "unit": unit.code, "year": year})
    return row


def is_published(row: RatingWorkflow | None, now=None) -> bool:
    return row is not None and row.published_at is not None and row.published_at <= (now or utcnow())


def return_to_draft(unit: Agency, year: int, actor, reason: str) -> RatingWorkflow:
    """Back to draft (to correct the records and run again); needs a reason."""
    _reason_required(reason)
    row = _require(workflow(unit, year), S.PROPOSED, S.DECIDED)
    _move(row, S.DRAFT, actor, "rating.return_to_draft", reason)
    return row


def decide(item: YearlyClassification, level: str, reason: str, actor) -> YearlyClassification:
    """The council's decision on one person: confirm the level or change it (an override,
    which needs a reason; so does any decision on a case marked for the council)."""
    unit = item.user.agency.rating_unit()
    _require(workflow(unit, item.year), S.PROPOSED)
    level = Level(level)
    if level not in LEVELS:
        raise WorkflowError(_("The council chooses one of the four levels."))
    reason = (reason or "").strip()
    if level.value != item.level and forced(item):
        raise WorkflowError(_("This level follows from the law whatever the score; correct the records "
                              "(discipline, time worked) and run the rating again."))
    if (level.value != (item.engine_level or item.level) or item.needs_council) and not reason:
        raise WorkflowError(_("A reason is required for this decision."))
    before = {"level": item.level, "decided": item.decided}
    item.level, item.decided, item.decision_reason = level.value, True, reason
    item.decided_by_id, item.decided_at = actor.id, utcnow()
    db.session.flush()
    audit.record("rating.decide", item, actor=actor, before=before,
                 after={"level": item.level, "engine_level": item.engine_level, "person": item.user.full_name,
                        "unit": unit.code, "year": item.year}, reason=reason)
    return item


def forced(item: YearlyClassification) -> bool:
    return any(r.get("code") in FORCED for r in item.reasons or ())


def undecided(rows) -> list[YearlyClassification]:
    return [r for r in rows if r.needs_council and not r.decided]


def close_council(unit: Agency, year: int, actor) -> RatingWorkflow:
    """The council's decisions are complete: every case marked for it is decided and the
    quota holds in every group."""
    row = _require(workflow(unit, year), S.PROPOSED)
    rows = unit_rows(unit, year)
    if undecided(rows):
        raise WorkflowError(_("%(n)d cases marked for the council are not decided yet.", n=len(undecided(rows))))
    _check_quota(unit, year, rows)
    _move(row, S.DECIDED, actor, "rating.council_closed",
          changed=sum(1 for r in rows if r.changed_by_council))
    return row


def approve(unit: Agency, year: int, actor) -> RatingWorkflow:
    """Approve and lock the year's rating of the unit."""
    row = _require(workflow(unit, year), S.DECIDED)
    _check_quota(unit, year, unit_rows(unit, year))
    row.approved_by_id, row.approved_at = actor.id, utcnow()
    _move(row, S.APPROVED, actor, "rating.approve")
    return row


def reopen(unit: Agency, year: int, actor, reason: str) -> RatingWorkflow:
    """HR reopens an approved (or council-closed) rating for the council; audited."""
    _reason_required(reason)
    row = _require(workflow(unit, year), S.APPROVED, S.DECIDED)
    if row.locked:
        row.reopened += 1
    _move(row, S.PROPOSED, actor, "rating.reopen", reason)
    return row


def _reason_required(reason: str) -> None:
    if not (reason or "").strip():
        raise WorkflowError(_("A reason is required for this step."))


def exception_for(unit: Agency, year: int) -> QuotaException | None:
    return db.session.scalars(select(QuotaException).where(QuotaException.agency_id == unit.id,
                                                           QuotaException.year == year)).first()


def record_quota_exception(unit: Agency, year: int, actor, *, ceiling: Fraction, reference: str,
                           decided_on: date) -> QuotaException:
    """Record the competent level's decision raising the unit's EXCELLENT rate (outstanding
    unit) with its ceiling, above 20% and at most 25% of the number rated GOOD.  Only in
    draft: the engine applies it on the next run.  Audited on the unit's workflow."""
    wf = _require(workflow(unit, year, create=True), S.DRAFT)
    if not NORMAL_RATE < ceiling <= EXCEPTION_MAX:
        raise WorkflowError(_("The ceiling must be above 20 percent and at most 25 percent of the number rated Good."))
    row = exception_for(unit, year)
    before = _exception_dict(row) if row else None
    row = row or QuotaException(agency_id=unit.id, year=year)
    row.ceiling, row.reference, row.decided_on = ceiling, reference.strip(), decided_on
    row.recorded_by_id, row.recorded_at = actor.id, utcnow()
    db.session.add(row)
    db.session.flush()
    audit.record("rating.quota_exception", wf, actor=actor, before=before, after=_exception_dict(row),
                 reason=row.reference)
    return row


def remove_quota_exception(unit: Agency, year: int, actor, reason: str) -> None:
    _reason_required(reason)
    wf = _require(workflow(unit, year, create=True), S.DRAFT)
    row = exception_for(unit, year)
    if row is not None:
        audit.record("rating.quota_exception_removed", wf, actor=actor, before=_exception_dict(row), reason=reason)
        db.session.delete(row)
        db.session.flush()


def _exception_dict(row: QuotaException) -> dict:
    return {"unit_id": row.agency_id, "year": row.year, "ceiling": str(row.ceiling), "reference": row.reference,
            "decided_on": row.decided_on.isoformat()}


def quota_rate(unit: Agency, year: int, profiles) -> Fraction:
    """The EXCELLENT rate of a group: the policies' quota rate (the lowest of the profiles
    present), or the recorded exception's ceiling (capped by the policies' exception rate)."""
    exception = exception_for(unit, year)
    rule = "quota_exception" if exception else "quota"
    rate = min((load_policy(p).rule(rule).frac("rate") for p in profiles), default=NORMAL_RATE)
    return min(rate, exception.ceiling) if exception else rate


def quota_breaches(unit: Agency, year: int, rows, denominator: str) -> list[dict]:
    """Quota groups whose final EXCELLENT count exceeds the cap (RULES.md §3, §4a)."""
    groups: dict[str, list] = {}
    for item in rows:
        if item.level in (Level.EXCELLENT, Level.GOOD):
            groups.setdefault(item.user.quota_group, []).append(item)
    breaches = []
    for group, members in sorted(groups.items()):
        rate = quota_rate(unit, year, {m.profile for m in members})
        cap = quota_cap(len(members), rate, denominator)
        excellent = sum(1 for m in members if m.level == Level.EXCELLENT)
        if excellent > cap:
            breaches.append({"group": group, "n": len(members), "excellent": excellent, "cap": cap, "rate": rate})
    return breaches


def _check_quota(unit: Agency, year: int, rows) -> None:
    breaches = quota_breaches(unit, year, rows, engine_settings(year).quota_denominator)
    if breaches:
        b = breaches[0]
        raise WorkflowError(_("Group “%(group)s”: %(excellent)d rated Excellent, at most %(cap)d allowed "
                              "among %(n)d rated Good or better.", **{k: b[k] for k in ("group", "excellent", "cap", "n")}))
