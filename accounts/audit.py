"""The hash-chained audit log (DECISIONS.md 21): appending, verifying, and the signed checkpoint.

Each record carries the hash of the one before it, so editing or deleting a record breaks
the chain.  Deleting the *newest* records leaves a shorter chain that is still intact; the
checkpoint catches that: after each commit that appended records, the chain's length and
head (id, hash) are written, HMAC-signed with a key derived from ``SECRET_KEY``, to
``AUDIT_CHECKPOINT`` (``instance/audit-checkpoint.json``), outside the database.  Someone who
can edit the database but not the app server's files cannot make the two agree again.

Appends are serialised: on PostgreSQL by a transaction-level advisory lock taken before the
head is read (a ``FOR UPDATE`` on the head row is not enough: a waiting transaction would
then read the old head and fork the chain); on SQLite by taking the write lock first.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from accounts.models import AuditLog
from db_types import utcnow
from extensions import db

ADVISORY_KEY = 7_212_021  # "audit chain" in pg_advisory_xact_lock's key space
_PENDING = "audit_appended"


def _lock_chain() -> None:
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})
    elif dialect == "sqlite":
        db.session.execute(text("UPDATE audit_log SET id = id WHERE 1 = 0"))  # takes SQLite's write lock


def record(action: str, obj, *, actor=None, before=None, after=None, reason: str = "") -> AuditLog:
    """Append one audit record for ``obj`` (any model with an ``id``) and flush it.

    ``before``/``after`` are JSON-able dicts of the fields that changed.  The caller
    commits with the change itself, so the record and the change land together or not
    at all; the checkpoint is advanced after that commit.
    """
    _lock_chain()
    head = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).first()
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
    db.session.info.setdefault(_PENDING, []).append(entry.id)
    return entry


def verify_chain() -> list[int]:
    """Ids of records whose hash or link does not match; empty when the chain is intact."""
    bad, prev = [], ""
    stmt = select(AuditLog).order_by(AuditLog.id).execution_options(yield_per=2000)
    for entry in db.session.scalars(stmt):
        if entry.prev_hash != prev or entry.hash != entry.compute_hash():
            bad.append(entry.id)
        prev = entry.hash
        db.session.expunge(entry)
    return bad


# ---- the checkpoint ------------------------------------------------------------------------

def _key() -> bytes:
    secret = current_app.config.get("AUDIT_CHECKPOINT_KEY") or current_app.config["SECRET_KEY"]
    return hmac.new(str(secret).encode(), b"sathach audit checkpoint", hashlib.sha256).digest()


def database_identity() -> str:
    """The database the checkpoint is about (one instance folder may serve several)."""
    url = db.engine.url
    return f"{url.get_backend_name()}://{url.host or ''}:{url.port or ''}/{url.database or ''}"


def _mac(identity: str, entry: dict) -> str:
    body = json.dumps({"db": identity, **{k: entry[k] for k in ("length", "head_id", "head_hash")}}, sort_keys=True)
    return hmac.new(_key(), body.encode(), hashlib.sha256).hexdigest()


def _path() -> Path | None:
    """Where the checkpoint lives; None when a test app did not choose a file (so tests never
    write into the developer's ``instance/``)."""
    from config import INSTANCE_DIR

    value = current_app.config.get("AUDIT_CHECKPOINT")
    if not value or (current_app.testing and Path(value) == INSTANCE_DIR / "audit-checkpoint.json"):
        return None
    return Path(value)


def _prune(databases: dict) -> None:
    """Forget SQLite databases whose file is gone (temporary databases of benchmarks)."""
    for identity in list(databases):
        if identity.startswith("sqlite://:/") and identity != "sqlite://:/" \
                and not Path(identity[len("sqlite://:/"):]).exists():
            del databases[identity]


def _read_file(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@dataclass
class Checkpoint:
    length: int
    head_id: int | None
    head_hash: str
    at: str
    signed: bool


def read_checkpoint() -> Checkpoint | None:
    path = _path()
    entry = _read_file(path).get("databases", {}).get(database_identity()) if path else None
    if not entry:
        return None
    try:
        signed = hmac.compare_digest(entry.get("mac", ""), _mac(database_identity(), entry))
        return Checkpoint(int(entry["length"]), entry["head_id"], entry["head_hash"], entry.get("at", ""), signed)
    except (KeyError, TypeError, ValueError):
        return Checkpoint(0, None, "", "", False)


def chain_head(connection=None) -> tuple[int, int | None, str]:
    """(number of records, newest id, newest hash) of the table as it is now."""
    run = connection or db.session
    length = run.execute(select(func.count()).select_from(AuditLog.__table__)).scalar_one()
    head = run.execute(select(AuditLog.id, AuditLog.hash).order_by(AuditLog.id.desc()).limit(1)).first()
    return length, (head.id if head else None), (head.hash if head else "")


def write_checkpoint(length: int, head_id: int | None, head_hash: str, *, force: bool = False) -> bool:
    """Record the chain's state, never moving it backwards unless ``force``; False if skipped."""
    path = _path()
    if path is None:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(path.suffix + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = _read_file(path)
        databases = data.setdefault("databases", {})
        identity = database_identity()
        old = databases.get(identity)
        if old and not force and (old.get("head_id") or 0) >= (head_id or 0):
            return False
        entry = {"length": length, "head_id": head_id, "head_hash": head_hash, "at": utcnow().isoformat()}
        entry["mac"] = _mac(identity, entry)
        databases[identity] = entry
        _prune(databases)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    return True


def checkpoint_now(*, force: bool = False) -> tuple[int, int | None, str]:
    """Write the checkpoint from the table as it is now (``flask audit checkpoint``)."""
    state = chain_head()
    write_checkpoint(*state, force=force)
    return state


@event.listens_for(Session, "after_commit")
def _advance_checkpoint(session) -> None:
    appended = session.info.pop(_PENDING, None)
    if not appended or not has_app_context() or _path() is None:
        return
    newest = max(appended)
    with db.engine.connect() as connection:
        old = read_checkpoint()
        head_hash = connection.execute(select(AuditLog.hash).where(AuditLog.id == newest)).scalar()
        if head_hash is None:
            return
        if old and old.signed and old.head_id is not None and old.head_id < newest:
            added = connection.execute(select(func.count()).select_from(AuditLog.__table__).where(
                AuditLog.id > old.head_id, AuditLog.id <= newest)).scalar_one()
            length = old.length + added
        else:
            length = connection.execute(select(func.count()).select_from(AuditLog.__table__)
                                        .where(AuditLog.id <= newest)).scalar_one()
    write_checkpoint(length, newest, head_hash)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session) -> None:
    session.info.pop(_PENDING, None)


# ---- verification --------------------------------------------------------------------------

@dataclass
class Verification:
    length: int = 0
    head_id: int | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify() -> Verification:
    """Recompute the chain and compare its length and head with the signed checkpoint."""
    length, head_id, head_hash = chain_head()
    result = Verification(length=length, head_id=head_id)
    for record_id in verify_chain():
        result.problems.append(f"record #{record_id}: its hash or its link to the record before does not match "
                               "(edited, or a record before it was deleted)")
    checkpoint = read_checkpoint()
    if checkpoint is None:
        result.warnings.append("no checkpoint for this database: deleting the newest records would go unseen "
                               "(run `flask audit checkpoint`)")
        return result
    if not checkpoint.signed:
        result.problems.append("the checkpoint's signature does not match: it was edited or written with another key")
        return result
    if length < checkpoint.length:
        result.problems.append(f"{checkpoint.length - length} record(s) missing: the checkpoint of {checkpoint.at} "
                               f"counted {checkpoint.length}, the table holds {length}")
    if checkpoint.head_id is not None:
        row = db.session.execute(select(AuditLog.hash).where(AuditLog.id == checkpoint.head_id)).first()
        if row is None:
            result.problems.append(f"record #{checkpoint.head_id}, the newest at the checkpoint, is gone")
        elif row.hash != checkpoint.head_hash:
            result.problems.append(f"record #{checkpoint.head_id} differs from the checkpoint (the chain was "
                                   "rewritten from there on)")
    return result
