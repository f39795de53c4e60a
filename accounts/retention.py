"""Retention of personal data (Decree 13/2023/NĐ-CP: kept no longer than its purpose needs).

* Evidence files of tasks whose year is more than ``EVIDENCE_RETENTION_YEARS`` before the
  current one: the file rows go, and each stored file once no remaining row uses it (files
  are stored by content hash, so two reports may share one).
* Security events (:class:`LoginEvent`) and ended session records older than
  ``EVENT_LOG_RETENTION_DAYS``.

The audit log is not purged: it is the record of decisions about ratings and results,
kept as archives are, and its hash chain must stay whole.  Every purge is itself audited.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from accounts import audit
from accounts.models import LoginEvent, UserSession
from db_types import utcnow
from extensions import db


class Retention:
    """The object an audit record of a purge is about."""

    id = "retention"


@dataclass
class PurgeReport:
    evidence_rows: int = 0
    files: list[str] = field(default_factory=list)
    events: int = 0
    sessions: int = 0


def _expired_evidence(cutoff_year: int):
    from performance.models import EvidenceFile, ProductReport, Task

    return list(db.session.scalars(select(EvidenceFile).join(ProductReport, EvidenceFile.report_id == ProductReport.id)
                                   .join(Task, ProductReport.task_id == Task.id).where(Task.year < cutoff_year)))


def purge(*, dry_run: bool = False, actor=None) -> PurgeReport:
    """Delete what has outlived its retention period (flushes; the caller commits, then
    :func:`remove_files` deletes the files, so a failed commit leaves every file in place)."""
    from performance.models import EvidenceFile

    config, now = current_app.config, utcnow()
    report = PurgeReport()
    cutoff_year = now.year - config["EVIDENCE_RETENTION_YEARS"]
    expired = _expired_evidence(cutoff_year)
    gone_ids = {e.id for e in expired}
    for name in sorted({e.stored_name for e in expired}):
        still_used = db.session.scalar(select(func.count()).select_from(EvidenceFile).where(
            EvidenceFile.stored_name == name, EvidenceFile.id.not_in(gone_ids)))
        if not still_used:
            report.files.append(name)
    report.evidence_rows = len(expired)
    event_cutoff = now - timedelta(days=config["EVENT_LOG_RETENTION_DAYS"])
    report.events = db.session.scalar(select(func.count()).select_from(LoginEvent).where(LoginEvent.at < event_cutoff))
    report.sessions = db.session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.ended_at.is_not(None), UserSession.ended_at < event_cutoff))
    if dry_run:
        return report
    for item in expired:
        db.session.delete(item)
    db.session.execute(delete(LoginEvent).where(LoginEvent.at < event_cutoff))
    db.session.execute(delete(UserSession).where(UserSession.ended_at.is_not(None),
                                                 UserSession.ended_at < event_cutoff))
    audit.record("data.purge", Retention(), actor=actor, reason="retention periods",
                 after={"evidence_before_year": cutoff_year, "evidence_rows": report.evidence_rows,
                        "files": report.files, "events_before": event_cutoff.isoformat(),
                        "events": report.events, "sessions": report.sessions})
    db.session.flush()
    return report


def remove_files(report: PurgeReport) -> int:
    from performance.services import evidence_path
    from performance.models import EvidenceFile

    removed = 0
    for name in report.files:
        path = evidence_path(EvidenceFile(stored_name=name))
        if path.exists():
            path.unlink()
            removed += 1
    return removed
