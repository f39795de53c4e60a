"""Background jobs (DECISIONS.md 18): RQ on Redis when ``REDIS_URL`` is set, else a worker
thread of the app; progress in the database, shown by ``/jobs/<id>`` with a progress bar.

Queue work with :func:`enqueue`; write a job function with :func:`job_function` and report
its progress with :func:`progress` (``jobs.kinds`` holds the application's kinds).
"""
from flask import Blueprint

bp = Blueprint("jobs", __name__)

from jobs.registry import job_function  # noqa: E402
from jobs.services import enqueue, progress  # noqa: E402

__all__ = ["bp", "enqueue", "job_function", "progress"]
