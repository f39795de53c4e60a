"""The application's job kinds: thin adapters that load their rows by id and call the
feature's own service function, reporting progress (DECISIONS.md 18).

Each takes ``(job_id, **params)`` with JSON params and returns the JSON result.  What a
kind writes is audited by the service it calls, exactly as when it ran in a request.
"""
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts.models import Agency, Role, User
from extensions import db
from jobs.registry import job_function
from jobs.services import progress


# ---- exam: apply a previewed regrade -----------------------------------------------------

def _regrade_url(job) -> str:
    return url_for("exam.admin_regrade_job", exam_id=job.params["exam_id"], job_id=job.params["regrade_id"])


def _regrade_summary(job) -> str:
    result = job.result or {}
    if job.state.value == "done":
        return _("Regrade applied: %(n)d result(s) changed.", n=result.get("changed", 0))
    if result.get("regraded_before_failure"):
        return _("%(n)d attempt(s) were regraded, each audited, before the failure; apply the regrade again "
                 "to finish it.", n=result["regraded_before_failure"])
    return ""


def _regrade_reopen(job) -> None:
    """A failed apply leaves the attempts already regraded (each committed with its audit
    record) and puts the regrade back to "preview": applying it again redoes every affected
    attempt, which changes nothing for those already done."""
    from exam.models import RegradeJob

    regrade = db.session.get(RegradeJob, job.params["regrade_id"])
    if regrade is not None and regrade.state == "running":
        job.result = {"regraded_before_failure": regrade.done}
        regrade.state, regrade.done = "preview", 0


def _exam_errors():
    from exam.services import ExamError

    return (ExamError,)


@job_function("exam.regrade", roles=(Role.EXAM_ADMIN,), title=_l("Regrade"), result_url=_regrade_url,
              summary=_regrade_summary, on_failure=_regrade_reopen, expected=_exam_errors())
def regrade(job_id: int, regrade_id: int, exam_id: int, actor_id: int) -> dict:
    """Apply the previewed regrade ``regrade_id``; commits after each attempt at most every
    ``JOBS_PROGRESS_SECONDS`` (see :func:`jobs.services.progress`), the last step with the result."""
    from exam import marking
    from exam.models import RegradeJob

    job = db.session.get(RegradeJob, regrade_id)
    progress(job_id, 0, job.total, force=True)
    changed = marking.apply_regrade(job, db.session.get(User, actor_id),
                                    progress=lambda j: progress(job_id, j.done, max(j.total, j.done),
                                                                commit=j.done < j.total))
    return {"changed": changed, "attempts": job.done}


# ---- classification: the rating run of an agency's subtree --------------------------------

def _rating_url(job) -> str:
    return url_for("classification.results", agency_id=job.params["agency_id"], year=job.params["year"])


def _rating_summary(job) -> str:
    result = job.result or {}
    if job.state.value != "done":
        return ""
    text = _("Rated %(n)d people.", n=result.get("written", 0))
    left = result.get("rows", 0) - result.get("written", 0)
    if left > 0:
        text += " " + _("%(n)d people of units already proposed or approved were left unchanged.", n=left)
    return text


def _rating_errors():
    from classification.workflow import WorkflowError

    return (WorkflowError,)


@job_function("rating.run", roles=(Role.HR_OFFICER,), title=_l("Rating run"), result_url=_rating_url,
              summary=_rating_summary, expected=_rating_errors())
def rating_run(job_id: int, agency_id: int, year: int, actor_id: int) -> dict:
    """Rate everyone under ``agency_id`` for ``year`` (one transaction: the run is all or nothing)."""
    from classification import services
    from classification.models import ClassificationState

    progress(job_id, 0, 0, force=True)
    rows = services.run_rating(db.session.get(Agency, agency_id), year, db.session.get(User, actor_id))
    written = sum(1 for r in rows if r.state == ClassificationState.DRAFT)   # before the commit expires them
    progress(job_id, len(rows), len(rows), commit=False)
    return {"written": written, "rows": len(rows)}
