"""The progress page of one job and its JSON, polled by ``static/js/jobs.js``."""
from flask import jsonify, render_template
from flask_login import current_user, login_required

from accounts.models import Role
from accounts.policy import access
from jobs import bp, queries, registry
from jobs.runners import runner
from jobs.services import fail_if_stale

SEE = "the job's creator, or the role its kind needs (regrade: exam_admin; rating run: hr_officer) at its agency"


def _job(job_id: int):
    job = queries.get_job_or_404(job_id, current_user)
    fail_if_stale(job, runner().live_ids())   # lazily, like close-overdue: no job shown running for ever
    return job, registry.get(job.kind)


def _view(job, kind) -> dict:
    return {"id": job.id, "kind": job.kind, "title": str(kind.title), "state": job.state.value,
            "done": job.done, "total": job.total, "finished": job.finished,
            "summary": kind.summary(job) if kind.summary and job.finished else "",
            "error": job.error if job.state.value == "failed" else None,
            "result_url": kind.result_url(job) if kind.result_url else None}


@bp.route("/<int:background_job_id>")
@login_required
@access(owner=True, reach=(Role.EXAM_ADMIN, Role.HR_OFFICER), note=SEE)
def show(background_job_id):
    job, kind = _job(background_job_id)
    return render_template("jobs/show.html", job=job, view=_view(job, kind))


@bp.route("/<int:background_job_id>.json")
@login_required
@access(owner=True, reach=(Role.EXAM_ADMIN, Role.HR_OFFICER), note=SEE)
def status(background_job_id):
    job, kind = _job(background_job_id)
    response = jsonify(_view(job, kind))
    response.headers["Cache-Control"] = "no-store"
    return response
