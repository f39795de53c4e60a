"""Appending to the hash-chained audit log (DECISIONS.md 21)."""
from flask import has_request_context, request
from sqlalchemy import select

from accounts.models import AuditLog
from db_types import utcnow
from extensions import db


def record(action: str, obj, *, actor=None, before=None, after=None, reason: str = "") -> AuditLog:
    """Append one audit record for ``obj`` (any model with an ``id``) and flush it.

    ``before``/``after`` are JSON-able dicts of the fields that changed.  The caller
    commits with the change itself, so the record and the change land together or not
    at all.  Appends are serialised by locking the chain head (``FOR UPDATE`` on
    PostgreSQL; SQLite serialises writers anyway).
    """
    head = db.session.scalars(
        select(AuditLog).order_by(AuditLog.id.desc()).limit(1).with_for_update()
    ).first()
    entry = AuditLog(
        actor_id=getattr(actor, "id", None), action=action,
        object_type=type(obj).__name__, object_id=str(getattr(obj, "id", obj)),
        before=before, after=after, reason=reason,
        ip=(request.remote_addr or "") if has_request_context() else "cli",
        prev_hash=head.hash if head else "",
    )
    entry.at = utcnow().replace(microsecond=0)
    entry.hash = entry.compute_hash()
    db.session.add(entry)
    db.session.flush()
    return entry


def verify_chain() -> list[int]:
    """Ids of records whose hash or link does not match; empty when the chain is intact."""
    bad, prev = [], ""
    for entry in db.session.scalars(select(AuditLog).order_by(AuditLog.id)):
        if entry.prev_hash != prev or entry.hash != entry.compute_hash():
            bad.append(entry.id)
        prev = entry.hash
    return bad
