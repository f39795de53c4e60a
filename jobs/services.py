"""Queueing, running and recording background jobs (DECISIONS.md 18).

The job row in the database is the truth every mode shares: the page polls it, the runner
claims it (queued → running in one conditional UPDATE, so a job never runs twice), the job
function moves its progress, and the runner records the result or the error.  A job whose
process died is failed by :func:`fail_stale` — on the start of a worker, and lazily when its
page is read — so no job stays "running" for ever.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from db_types import utcnow
from extensions import db
from jobs import registry
from jobs.models import Job, JobState

log = logging.getLogger(__name__)
ACTIVE = (JobState.QUEUED, JobState.RUNNING)
_local = threading.local()   # .listener: called with the job after each progress report (run_now)


def worker_name() -> str:
    """``host:pid`` of this process: how a later process tells whether a job's runner is alive."""
    return f"{socket.gethostname()}:{os.getpid()}"


def enqueue(kind: str, params: dict, actor, agency=None) -> Job:
    """Queue a run of the registered function ``kind`` with ``params`` (JSON) for ``actor``,
    scoped to ``agency``; returns the job (already finished in ``sync`` mode).

    Commits: the row must be visible to the worker before the worker is told about it.
    Raises KeyError for an unregistered kind (before anything is written).
    """
    from jobs.runners import runner

    registry.get(kind)
    job = Job(kind=kind, params=dict(params), created_by_id=getattr(actor, "id", None),
              agency_id=getattr(agency, "id", None), worker=runner().owner())
    db.session.add(job)
    db.session.commit()
    try:
        runner().submit(job)
    except Exception as exc:  # noqa: BLE001 — e.g. Redis down: say so on the job's page at once
        log.exception("job %s (%s) could not be queued", job.id, kind)
        db.session.rollback()
        job = db.session.get(Job, job.id)
        if job.state == JobState.QUEUED:
            job.state, job.finished_at = JobState.FAILED, utcnow()
            job.error = f"could not be queued: {type(exc).__name__}: {exc}"
            db.session.commit()
    return job


def run_now(kind: str, params: dict, actor, agency=None, listener=None) -> Job:
    """Record and run a job of ``kind`` here and now, whatever the mode (the CLI commands):
    the same function, progress and audit as a queued run, with ``listener(job)`` called
    after each progress report.  Returns the finished job."""
    registry.get(kind)
    job = Job(kind=kind, params=dict(params), created_by_id=getattr(actor, "id", None),
              agency_id=getattr(agency, "id", None), worker=worker_name())
    db.session.add(job)
    db.session.commit()
    _local.listener = listener
    try:
        run_job(job.id)
    finally:
        _local.listener = None
    return db.session.get(Job, job.id)


def progress(job_id: int, done: int, total: int | None = None, message: str | None = None, *,
             commit: bool = True, force: bool = False) -> None:
    """Record ``done`` of ``total`` steps and commit, at most every ``JOBS_PROGRESS_SECONDS``
    (the first, the last and ``force`` calls always).

    The commit is also the job's checkpoint: it commits what the function has written so
    far in the same session (SQLite has one writer, so progress cannot be committed beside
    an open write transaction).  Call it only at points where the work done is consistent
    (after a whole attempt, after a whole unit); ``commit=False`` records it for the
    runner's final commit.
    """
    job = db.session.get(Job, job_id)
    now = utcnow()
    if total is not None:
        job.total = total
    if message is not None:
        job.message = message[:500]
    job.done = done
    last = job.heartbeat_at
    interval = current_app.config.get("JOBS_PROGRESS_SECONDS", 0.5)
    if force or done in (0, job.total) or last is None or (now - last).total_seconds() >= interval:
        job.heartbeat_at = now
        if commit:
            db.session.commit()
    listener = getattr(_local, "listener", None)
    if listener is not None:
        listener(job)


def run_job(job_id: int, worker: str = "") -> bool:
    """Claim and run one queued job in the current app context; False when it was not
    queued any more (already run, or failed as stale).  Never raises for a failing job
    function: its error is recorded on the job."""
    now = utcnow()
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state == JobState.QUEUED)
        .values(state=JobState.RUNNING, started_at=now, heartbeat_at=now, worker=worker or worker_name())
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not claimed:
        return False
    job = db.session.get(Job, job_id)
    kind, started = registry.get(job.kind), time.monotonic()
    try:
        result = kind.fn(job_id, **(job.params or {}))
    except Exception as exc:  # noqa: BLE001 — recorded on the job; the runner must go on
        db.session.rollback()
        _record_failure(job_id, kind, exc)
        return True
    job = db.session.get(Job, job_id)
    job.state, job.result, job.finished_at = JobState.DONE, result or {}, utcnow()
    db.session.commit()
    log.info("job %s (%s) done in %.1f s", job_id, kind.name, time.monotonic() - started)
    return True


def _record_failure(job_id: int, kind, exc: Exception) -> None:
    if not isinstance(exc, kind.expected):
        log.exception("job %s (%s) failed", job_id, kind.name, exc_info=exc)
    job = db.session.get(Job, job_id)
    job.state, job.finished_at = JobState.FAILED, utcnow()
    job.error = str(exc) if isinstance(exc, kind.expected) else f"{type(exc).__name__}: {exc}"
    _cleanup(job, kind)
    db.session.commit()


def _cleanup(job: Job, kind) -> None:
    """The kind's ``on_failure`` hook; its own failure is logged, never raised."""
    if kind.on_failure is None:
        return
    try:
        with db.session.begin_nested():
            kind.on_failure(job)
    except Exception:  # noqa: BLE001
        log.exception("cleanup of job %s (%s) failed", job.id, kind.name)


def stale_reason(job: Job, live: set[int] = frozenset(), now=None) -> str | None:
    """Why ``job`` can never finish, or None: its process is gone (same host), or it made no
    progress (running) or was not picked up (queued) for ``JOBS_STALE_MINUTES``.

    ``live``: ids this process is running or holds queued; a job recorded under this
    process's own name but not in ``live`` belongs to an earlier process with the same pid.
    """
    if job.state not in ACTIVE:
        return None
    now = now or utcnow()
    host, _sep, pid = (job.worker or "").rpartition(":")
    if host and host == socket.gethostname() and pid.isdigit():
        if job.worker == worker_name():
            if job.id not in live:
                return "the process that ran the job stopped"
        elif not _alive(int(pid)):
            return "the process that ran the job stopped"
    limit = timedelta(minutes=current_app.config.get("JOBS_STALE_MINUTES", 30))
    if job.state == JobState.RUNNING and now - (job.heartbeat_at or job.started_at or job.created_at) > limit:
        return "no progress within the time limit"
    if job.state == JobState.QUEUED and now - job.created_at > limit:
        return "no worker picked the job up within the time limit"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_if_stale(job: Job, live: set[int] = frozenset()) -> bool:
    """Mark ``job`` failed (with its kind's cleanup) when :func:`stale_reason` says so; commits."""
    reason = stale_reason(job, live)
    if reason is None:
        return False
    job.state, job.finished_at, job.error = JobState.FAILED, utcnow(), f"stale: {reason}"
    try:
        kind = registry.get(job.kind)
    except KeyError:
        kind = None
    if kind is not None:
        _cleanup(job, kind)
    db.session.commit()
    log.warning("job %s (%s) marked failed: %s", job.id, job.kind, reason)
    return True


def fail_stale(live: set[int] = frozenset()) -> int:
    """Fail every queued or running job that can never finish; returns how many."""
    active = db.session.scalars(select(Job).where(Job.state.in_(ACTIVE)).order_by(Job.id)).all()
    return sum(fail_if_stale(job, live) for job in active)
