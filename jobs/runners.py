"""Where a queued job runs, chosen by configuration (DECISIONS.md 18).

* ``rq``: on an RQ queue in Redis (``REDIS_URL``); ``flask jobs worker`` runs it.
* ``thread``: the embedded default: a daemon worker thread of this process with an
  in-process queue; the job row in the database carries the progress.
* ``sync``: at once, inside the request (tests; the default when ``TESTING``).

``JOBS_MODE`` picks one; unset, it is ``sync`` under ``TESTING``, else ``rq`` when
``REDIS_URL`` is set, else ``thread``.
"""
from __future__ import annotations

import logging
import queue
import threading

from flask import Flask, current_app, has_app_context

from jobs.services import fail_stale, run_job, worker_name

log = logging.getLogger(__name__)
MODES = ("sync", "thread", "rq")


def resolve_mode(config) -> str:
    mode = (config.get("JOBS_MODE") or "").strip().lower()
    if not mode:
        mode = "sync" if config.get("TESTING") else ("rq" if config.get("REDIS_URL") else "thread")
    if mode not in MODES:
        raise ValueError(f"JOBS_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "rq" and not config.get("REDIS_URL"):
        raise ValueError("JOBS_MODE=rq needs REDIS_URL")
    return mode


def init_app(app: Flask) -> None:
    """Bind the runner of the configured mode; nothing starts until the first job."""
    mode = resolve_mode(app.config)
    app.config["JOBS_MODE"] = mode
    app.extensions["jobs"] = {"sync": SyncRunner, "thread": ThreadRunner, "rq": RQRunner}[mode](app)


def runner():
    return current_app.extensions["jobs"]


class SyncRunner:
    """Runs the job in the caller's app context and session, before ``enqueue`` returns."""

    mode = "sync"

    def __init__(self, app):
        self.app = app

    def owner(self) -> str:
        return ""

    def submit(self, job) -> None:
        run_job(job.id)

    def live_ids(self) -> set[int]:
        return set()


class ThreadRunner:
    """One daemon thread per process working through an in-process queue of job ids.

    The thread starts with the first job and first fails the jobs an earlier process left
    queued or running.  Each job runs in a fresh app context (its own session).  Jobs queued
    here and not run when the process stops are failed by the next start (or by their page).
    """

    mode = "thread"

    def __init__(self, app):
        self.app = app
        self.queue: "queue.Queue[int]" = queue.Queue()
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._live: set[int] = set()

    def owner(self) -> str:
        """Recorded on the job when queued: the pid check of ``stale_reason`` needs it before it starts."""
        return worker_name()

    def submit(self, job) -> None:
        with self._lock:
            self._live.add(job.id)
        self._start()
        self.queue.put(job.id)

    def live_ids(self) -> set[int]:
        with self._lock:
            return set(self._live)

    def join(self) -> None:
        """Wait until every submitted job has run (tests, orderly shutdown)."""
        self.queue.join()

    def _start(self) -> None:
        with self._lock:
            if self.thread is not None and self.thread.is_alive():
                return
            self.thread = threading.Thread(target=self._loop, name="sathach-jobs", daemon=True)
            self.thread.start()

    def _loop(self) -> None:
        with self.app.app_context():
            try:
                fail_stale(self.live_ids())
            except Exception:  # noqa: BLE001 — never keep the worker from starting
                log.exception("failing stale jobs")
        while True:
            job_id = self.queue.get()
            try:
                with self.app.app_context():
                    run_job(job_id)
            except Exception:  # noqa: BLE001 — run_job records job errors; this is the database
                log.exception("job %s could not be run", job_id)
            finally:
                with self._lock:
                    self._live.discard(job_id)
                self.queue.task_done()


class RQRunner:
    """Puts the job id on the RQ queue ``JOBS_QUEUE``; :func:`perform` runs it in the worker."""

    mode = "rq"

    def __init__(self, app):
        self.app = app

    def connection(self):
        from redis import Redis

        return Redis.from_url(self.app.config["REDIS_URL"])

    def queue(self):
        from rq import Queue

        return Queue(self.app.config.get("JOBS_QUEUE", "sathach"), connection=self.connection())

    def owner(self) -> str:
        return ""

    def submit(self, job) -> None:
        timeout = int(self.app.config.get("JOBS_STALE_MINUTES", 30)) * 60
        self.queue().enqueue_call(perform, args=(job.id,), timeout=timeout, result_ttl=3600, failure_ttl=86400,
                                  job_id=f"sathach-job-{job.id}", description=f"{job.kind} #{job.id}")

    def live_ids(self) -> set[int]:
        return set(_running_here)


_running_here: set[int] = set()   # the job an RQ worker of this process is running now


def perform(job_id: int) -> bool:
    """The RQ entry point: run job ``job_id`` in a fresh app context of the worker's app
    (``flask jobs worker`` pushes one; a bare ``rq worker`` gets an app built here)."""
    app = current_app._get_current_object() if has_app_context() else _standalone_app()
    _running_here.add(job_id)
    try:
        with app.app_context():
            return run_job(job_id)
    finally:
        _running_here.discard(job_id)


_app: Flask | None = None


def _standalone_app() -> Flask:
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app
