"""The autosave's fast path (issue 4 "Load"): one statement for a save that will be applied.

A save is applied when the session is open (its record, the session version, the account
active), the attempt is the caller's, in progress, inside its deadline plus grace (or
paused), the token is the current one, the slot exists, sequential navigation stands on
that slot, and the seq is above the stored one (DECISIONS.md 12).  That is every condition
of one conditional ``UPDATE attempt_slot … WHERE … AND EXISTS (…) RETURNING`` (SQLAlchemy
Core, no ORM load); the reply's stored seq, the server deadline, the pause and the exam's
address ranges come back from the same statement.  The event-log row is written

* on PostgreSQL, in the same statement: the UPDATE is a data-modifying CTE and the INSERT
  into ``attempt_event`` selects from its RETURNING, so it exists exactly when the answer
  was stored (:func:`cte_statement`);
* elsewhere (SQLite, the embedded default), by a second statement in the same transaction
  (:func:`update_statement` then an INSERT).

Either way the caller commits once.  A save that matches no row — stale, replayed,
conflict (taken over), locked, late, closed, an unknown or foreign attempt, a revoked
session — changes nothing, and the caller falls back to :func:`exam.services.save_answer`,
which decides and records the status exactly as before: the rules stay in one place, and
this module only makes their common case cheap.  A save from outside the exam's address
ranges is rolled back and answered by the fallback too (403).

The session check is folded into the statement (:func:`accounts.sessions.record_clause`),
not cached: a logged-out session saves nothing more, in any worker, from the next request.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import Boolean, Integer, String, bindparam, func, insert, literal, select, update

from accounts import sessions
from db_types import utcnow
from exam import access, events, services
from exam.models import Attempt, AttemptEvent, AttemptSlot, AttemptState, Exam
from extensions import db

_slot, _attempt, _exam, _event = (AttemptSlot.__table__, Attempt.__table__, Exam.__table__,
                                  AttemptEvent.__table__)


@dataclass(frozen=True)
class Stored:
    """What the fast path stored: the seq, and the attempt's clock for the reply."""
    seq: int
    deadline: datetime
    paused_at: datetime | None

    def remaining(self, now=None) -> int:
        reference = self.paused_at or now or utcnow()
        return max(0, int((self.deadline - reference).total_seconds()))


def _params():
    """The statement's bound parameters, one object per name (several are used twice)."""
    return SimpleNamespace(
        aid=bindparam("aid", type_=Integer), pos=bindparam("pos", type_=Integer),
        seq=bindparam("seq", type_=Integer), resp=bindparam("resp", type_=_slot.c.response.type),
        flag=bindparam("flag", type_=Boolean), now=bindparam("now", type_=_slot.c.saved_at.type),
        cutoff=bindparam("cutoff", type_=_attempt.c.deadline.type), token=bindparam("token", type_=String),
        uid=bindparam("uid", type_=Integer), version=bindparam("version", type_=Integer),
        sid=bindparam("sid", type_=String), detail=bindparam("detail", type_=_event.c.detail.type),
        ip=bindparam("ip", type_=String), agent=bindparam("agent", type_=String))


def update_statement(p=None):
    """``UPDATE attempt_slot SET … WHERE <every condition of an applied save> RETURNING``
    the stored seq, the attempt's deadline and pause, and the exam's address ranges."""
    p = p or _params()
    open_attempt = (select(1).select_from(_attempt.join(_exam, _exam.c.id == _attempt.c.exam_id))
                    .where(_attempt.c.id == p.aid, _attempt.c.user_id == p.uid,
                           _attempt.c.state == AttemptState.IN_PROGRESS, _attempt.c.session_token == p.token,
                           (_attempt.c.paused_at.is_not(None)) | (_attempt.c.deadline >= p.cutoff),
                           (_exam.c.navigation != "sequential") | (_attempt.c.current_position == p.pos))
                    .exists())
    of_attempt = _attempt.c.id == p.aid
    return (update(_slot)
            .where(_slot.c.attempt_id == p.aid, _slot.c.position == p.pos, _slot.c.saved_seq < p.seq,
                   open_attempt, sessions.record_clause(p.uid, p.version, p.sid))
            .values(response=p.resp, saved_seq=p.seq, saved_at=p.now,
                    flagged=func.coalesce(p.flag, _slot.c.flagged))
            .returning(_slot.c.saved_seq.label("saved_seq"),
                       select(_attempt.c.deadline).where(of_attempt).scalar_subquery().label("deadline"),
                       select(_attempt.c.paused_at).where(of_attempt).scalar_subquery().label("paused_at"),
                       # nested, not joined: SQLite renders RETURNING without table names
                       select(_exam.c.allowed_networks)
                       .where(_exam.c.id == select(_attempt.c.exam_id).where(of_attempt).scalar_subquery())
                       .scalar_subquery().label("allowed_networks")))


def event_insert(p=None):
    """The event-log row of an applied save (the second statement outside PostgreSQL)."""
    p = p or _params()
    return insert(_event).values(attempt_id=p.aid, at=p.now, kind="save", detail=p.detail, ip=p.ip,
                                 user_agent=p.agent)


def cte_statement(p=None):
    """PostgreSQL: the UPDATE as a data-modifying CTE and the event INSERT selecting from its
    RETURNING — the row is logged exactly when the answer is stored, in one round trip."""
    p = p or _params()
    saved = update_statement(p).cte("saved")
    logged = insert(_event).from_select(
        ["attempt_id", "at", "kind", "detail", "ip", "user_agent"],
        select(p.aid, p.now, literal("save", String), p.detail, p.ip, p.agent).select_from(saved)).cte("logged")
    return (select(saved.c.saved_seq, saved.c.deadline, saved.c.paused_at, saved.c.allowed_networks)
            .add_cte(logged))


_STATEMENTS: dict[str, object] = {}


def _statement(kind: str):
    """Built once per process (SQLAlchemy caches the compiled form by the statement's key)."""
    if kind not in _STATEMENTS:
        p = _params()
        _STATEMENTS[kind] = cte_statement(p) if kind == "cte" else (update_statement(p), event_insert(p))
    return _STATEMENTS[kind]


def parse(data) -> tuple[int, int] | None:
    """(position, seq) of a well-formed save body, else None (the fallback answers 400)."""
    if not isinstance(data, dict):
        return None
    try:
        position, seq = int(data["position"]), int(data["seq"])
    except (KeyError, TypeError, ValueError):
        return None
    if seq < 1 or not services.valid_response(data.get("response")) or not isinstance(data.get("token", ""), str):
        return None
    return position, seq


def try_save(attempt_id: int, user, data, address: str | None, use_cte: bool | None = None) -> Stored | None:
    """Apply the save in one statement if every condition holds; None otherwise (nothing
    changed: the caller falls back to :func:`exam.services.save_answer`).  ``user`` is
    ``current_user`` (a :class:`accounts.sessions.SessionIdentity` or a User); ``use_cte``
    forces the PostgreSQL or the two-statement form (None: by the database)."""
    parsed = parse(data)
    token_hash = sessions.current_token_hash()
    if parsed is None or token_hash is None:
        return None
    position, seq = parsed
    flagged = data.get("flagged")
    now = utcnow()
    ip, agent = events.origin()
    params = {"aid": attempt_id, "pos": position, "seq": seq, "resp": data.get("response"),
              "flag": None if flagged is None else bool(flagged), "now": now,
              "cutoff": now - timedelta(seconds=current_app.config["ATTEMPT_GRACE_SECONDS"]),
              "token": data.get("token", ""), "uid": user.id, "version": user.session_version, "sid": token_hash,
              "detail": {"position": position, "seq": seq, "status": "saved"}, "ip": ip, "agent": agent}
    connection = db.session.connection()
    if use_cte is None:
        use_cte = connection.dialect.name == "postgresql"
    if use_cte:
        row = connection.execute(_statement("cte"), params).first()
    else:
        update_stmt, insert_stmt = _statement("two")
        row = connection.execute(update_stmt, params).first()
        if row is not None:
            connection.execute(insert_stmt, params)
    if row is None:
        return None
    if row.allowed_networks and not access.address_allowed(SimpleNamespace(allowed_networks=row.allowed_networks),
                                                           address):
        db.session.rollback()                   # stored from outside the exam rooms: undo; the fallback says 403
        return None
    return Stored(seq=row.saved_seq, deadline=row.deadline, paused_at=row.paused_at)
