"""Reading jobs: who may see one, the fetch-and-authorise helper, the active job of a thing."""
from flask import abort
from sqlalchemy import select

from accounts.permissions import can_reach
from extensions import db
from jobs import registry
from jobs.models import Job, JobState


def can_see(user, job: Job) -> bool:
    """The job's creator, or a holder of its kind's roles at its agency or above (admin too)."""
    if job.created_by_id is not None and job.created_by_id == user.id:
        return True
    try:
        roles = registry.get(job.kind).roles
    except KeyError:
        roles = ()
    return job.agency is not None and can_reach(user, job.agency, *roles)


def get_job_or_404(job_id: int, user) -> Job:
    """The job, or 404 for one the user may not see (not 403: ids of others' jobs stay hidden)."""
    job = db.session.get(Job, job_id)
    if job is None or not can_see(user, job):
        abort(404)
    return job


def active_job(kind: str, **params) -> Job | None:
    """The newest queued or running job of ``kind`` whose params include ``params``."""
    stmt = (select(Job).where(Job.kind == kind, Job.state.in_((JobState.QUEUED, JobState.RUNNING)))
            .order_by(Job.id.desc()))
    return next((j for j in db.session.scalars(stmt) if all((j.params or {}).get(k) == v for k, v in params.items())),
                None)


def latest_job(kind: str, **params) -> Job | None:
    """The newest job of ``kind`` whose params include ``params`` (any state)."""
    stmt = select(Job).where(Job.kind == kind).order_by(Job.id.desc()).limit(200)
    return next((j for j in db.session.scalars(stmt) if all((j.params or {}).get(k) == v for k, v in params.items())),
                None)
