"""The per-attempt event log shown to the exam admin (start, saves, focus, takeover,
reconnects, submit), with the address and user agent of each request."""
from flask import has_request_context, request
from sqlalchemy import select

from exam.models import AttemptEvent
from extensions import db

CLIENT_KINDS = frozenset({"focus_lost", "focus_regained", "offline", "online", "reconnect"})


def origin() -> tuple[str, str]:
    """The address and user agent recorded with an event ("" outside a request)."""
    if not has_request_context():
        return "", ""
    return request.remote_addr or "", (request.user_agent.string or "")[:255]


def log(attempt_id: int, kind: str, **detail) -> AttemptEvent:
    """Add one event (the caller's transaction commits it with the change it describes).
    An applied autosave is logged by the same statement that stores it (``exam.fast_save``)."""
    ip, agent = origin()
    event = AttemptEvent(attempt_id=attempt_id, kind=kind, detail=detail or None, ip=ip, user_agent=agent)
    db.session.add(event)
    return event


def events_of(attempt_id: int, limit: int = 2000) -> list[AttemptEvent]:
    stmt = select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id).order_by(AttemptEvent.id).limit(limit)
    return list(db.session.scalars(stmt))
