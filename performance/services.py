"""Writes of product-based tasks: assign, commit, report with evidence, verify."""
import hashlib
import json
import mimetypes
from datetime import date
from fractions import Fraction
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from accounts import audit
from accounts.permissions import can_reach
from db_types import utcnow
from extensions import db
from performance.models import CatalogueItem, Commitment, EvidenceFile, ProductReport, Task, TaskKind, Verification
from performance.queries import SUPERVISE, unit_head

# Evidence is checked by content (magic bytes), not by the name's extension.
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"PK\x03\x04": "application/zip",  # docx, xlsx, odt …
    b"\xd0\xcf\x11\xe0": "application/x-ole-storage",  # doc, xls
}


class EvidenceError(ValueError):
    pass


class TaskError(ValueError):
    """A task the rules refuse; the message is for the user."""


def assign_task(form, assigner, item: CatalogueItem | None = None, *, unit=None, head=None) -> Task:
    """A task from the form; from the catalogue ``item`` the title, indicator, unit and
    conversion factor are the standard product's.  With ``unit`` (an agency) the task is
    the unit's and ``head`` (:func:`performance.queries.unit_head`) answers for it."""
    task = Task(year=form.year.data, period=f"{form.year.data}-{form.quarter.data}", assigner_id=assigner.id,
                assignee_id=head.id if unit is not None else form.assignee.data,
                unit_id=unit.id if unit is not None else None, title=form.title.data, indicator=form.indicator.data,
                unit_of_measure=form.unit_of_measure.data, target=Fraction(str(form.target.data)),
                factor=Fraction(str(form.factor.data)), weight=Fraction(str(form.weight.data)),
                deadline=form.deadline.data,
                kind=TaskKind.BREAKTHROUGH if form.breakthrough.data else TaskKind.REGULAR)
    return add_task(task, assigner, item)


def add_task(task: Task, assigner, item: CatalogueItem | None = None, source: str = "form") -> Task:
    if item is not None:
        task.catalogue_item_id, task.factor = item.id, item.factor
        task.title, task.indicator, task.unit_of_measure = item.title, item.indicator, item.unit_of_measure
    db.session.add(task)
    db.session.flush()
    audit.record("task.split" if task.parent_id else "task.assign", task, actor=assigner,
                 after={**task.snapshot(), "source": source})
    return task


def check_child(parent: Task, period: str, deadline: date) -> str | None:
    """Why a child of ``parent`` with this due period and deadline is refused (a child cannot
    outlive its parent: same year, a period not after the parent's, a deadline not after the
    parent's deadline), or None."""
    if not period.startswith(f"{parent.year}-"):
        return _("A child task belongs to its parent's year (%(year)d).", year=parent.year)
    if period > parent.period or deadline > parent.deadline:
        return _("A child task cannot outlive its parent: due by %(period)s and by %(date)s at the latest.",
                 period=parent.period, date=parent.deadline.strftime("%d/%m/%Y"))
    return None


def split_task(parent: Task, actor, *, assignee=None, unit=None, title: str, indicator: str, unit_of_measure: str,
               target, factor, weight, quarter: str, deadline: date, breakthrough: bool = False,
               item: CatalogueItem | None = None) -> Task:
    """A child of ``parent`` for a person (``assignee``) or a unit (``unit``, whose head
    answers for it), each with its own target, unit of measure, factor and deadline.  Only
    the parent's assignee splits it, for people they supervise; audited as ``task.split``."""
    if parent.assignee_id != actor.id:
        raise TaskError(_("Only the person who answers for a task splits it."))
    if unit is not None:
        assignee = unit_head(unit)
        if assignee is None:
            raise TaskError(_("%(unit)s has no head to answer for the task.", unit=unit.name))
    if assignee is None or assignee.id == actor.id or not can_reach(actor, unit or assignee.agency, *SUPERVISE):
        raise TaskError(_("A child task goes to someone you supervise."))
    period = f"{parent.year}-{quarter}"
    problem = check_child(parent, period, deadline)
    if problem:
        raise TaskError(problem)
    task = Task(year=parent.year, period=period, assigner_id=actor.id, assignee_id=assignee.id,
                unit_id=unit.id if unit is not None else None, parent_id=parent.id, title=(title or "").strip(),
                indicator=(indicator or "").strip(), unit_of_measure=(unit_of_measure or "").strip(),
                target=Fraction(str(target)), factor=Fraction(str(factor)), weight=Fraction(str(weight)),
                deadline=deadline, kind=TaskKind.BREAKTHROUGH if breakthrough else TaskKind.REGULAR)
    task.parent = parent
    return add_task(task, actor, item)


def add_catalogue_item(form, actor) -> CatalogueItem:
    item = CatalogueItem(agency_id=form.agency.data, position=(form.position.data or "").strip(),
                         code=form.code.data.strip(), title=form.title.data.strip(),
                         indicator=(form.indicator.data or "").strip(), unit_of_measure=form.unit_of_measure.data.strip(),
                         factor=Fraction(str(form.factor.data)))
    db.session.add(item)
    db.session.flush()
    audit.record("catalogue.add", item, actor=actor,
                 after={"code": item.code, "position": item.position, "title": item.title, "factor": str(item.factor)})
    return item


def retire_catalogue_item(item: CatalogueItem, actor) -> None:
    item.active = False
    db.session.flush()
    audit.record("catalogue.retire", item, actor=actor, before={"active": True}, after={"active": False})


def list_content(user, year: int) -> tuple[list, str]:
    """The year's task list of ``user`` as signed content, and its SHA-256."""
    tasks = db.session.scalars(select(Task).where(Task.assignee_id == user.id, Task.year == year)
                               .order_by(Task.period, Task.id)).all()
    content = [t.snapshot() for t in tasks]
    return content, hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def sign_commitment(user, year: int, *, approved_by=None, change=None) -> Commitment:
    """Sign the year's task list (a new revision); the exact content and its SHA-256 are
    kept.  A revision made by an approved change records the approver and the change."""
    content, digest = list_content(user, year)
    revision = (db.session.scalar(select(func.max(Commitment.revision))
                                  .where(Commitment.user_id == user.id, Commitment.year == year)) or 0) + 1
    commitment = Commitment(user_id=user.id, year=year, revision=revision, content=content, content_hash=digest,
                            approved_by_id=getattr(approved_by, "id", None), change_id=getattr(change, "id", None))
    db.session.add(commitment)
    db.session.flush()
    audit.record("commitment.sign", commitment, actor=approved_by or user,
                 after={"hash": digest, "tasks": len(content), "revision": revision,
                        "change": getattr(change, "id", None)})
    return commitment


def commitment_outdated(user, year: int) -> bool:
    """True when the list changed since the latest signed revision."""
    latest = latest_commitment(user, year)
    return latest is not None and latest.content_hash != list_content(user, year)[1]


def latest_commitment(user, year: int) -> Commitment | None:
    return db.session.scalars(select(Commitment).where(Commitment.user_id == user.id, Commitment.year == year)
                              .order_by(Commitment.revision.desc())).first()


def sniff(data: bytes) -> str:
    for magic, mime in SIGNATURES.items():
        if data.startswith(magic):
            return mime
    raise EvidenceError("type")


def store_evidence(report: ProductReport, filename: str, data: bytes) -> EvidenceFile:
    """Keep ``data`` under STORAGE_DIR/evidence by its SHA-256 (the name is never a path)."""
    if len(data) > current_app.config["EVIDENCE_MAX_BYTES"]:
        raise EvidenceError("size")
    mime = sniff(data)
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(current_app.config["STORAGE_DIR"]) / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / digest).write_bytes(data)
    safe_name = Path(filename or "evidence").name[:200] or "evidence"
    if mime == "application/zip":
        mime = mimetypes.guess_type(safe_name)[0] or mime
    evidence = EvidenceFile(original_name=safe_name, stored_name=digest, mime=mime, size=len(data))
    report.evidence.append(evidence)
    return evidence


def evidence_path(evidence: EvidenceFile) -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / "evidence" / evidence.stored_name


def report_product(task: Task, user, actual, product: str, delivered_on: date, upload=None) -> ProductReport:
    """A new product report for ``task`` (a resubmission before verification adds one more)."""
    report = ProductReport(task=task, actual_value=Fraction(str(actual)), product=product, delivered_on=delivered_on)
    db.session.add(report)
    if upload is not None:
        store_evidence(report, upload[0], upload[1])
    db.session.flush()
    audit.record("product.report", report, actor=user,
                 after={"task": task.id, "actual": str(report.actual_value), "delivered_on": delivered_on.isoformat()})
    return report


def verify_report(report: ProductReport, verifier, *, accepted, on_time: bool, quality_met: bool,
                  quality_failures=0, quality_failures_excused=0, delays=0, delays_excused=0,
                  comment="") -> Verification:
    """Record (or replace) the verification of ``report``; audited with before/after."""
    before = _verification_dict(report.verification) if report.verification else None
    v = report.verification or Verification(report=report)
    v.verifier_id, v.accepted_value = verifier.id, Fraction(str(accepted))
    v.on_time, v.quality_met = on_time, quality_met
    v.quality_failures = max(quality_failures or 0, 0 if quality_met else 1)
    v.quality_failures_excused, v.delays = quality_failures_excused or 0, max(delays or 0, 0 if on_time else 1)
    v.delays_excused, v.comment, v.verified_at = delays_excused or 0, comment or "", utcnow()
    db.session.add(v)
    db.session.flush()
    audit.record("product.verify", v, actor=verifier, before=before, after=_verification_dict(v))
    return v


def _verification_dict(v: Verification) -> dict:
    return {"accepted": str(v.accepted_value), "on_time": v.on_time, "quality_met": v.quality_met,
            "quality_failures": v.quality_failures, "delays": v.delays}
