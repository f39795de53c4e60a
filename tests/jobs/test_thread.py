"""The embedded default: jobs run in a worker thread of the app, progress in the database;
and no job stays queued or running for ever when its process is gone."""
import os
import socket
from datetime import timedelta

import pytest

from db_types import utcnow
from extensions import db
from jobs import enqueue
from jobs.models import Job, JobState
from jobs.services import fail_stale, stale_reason, worker_name
from tests import factories as f
from tests.jobs import kinds


@pytest.fixture
def admin(thread_app):
    agency = f.agency("D")
    user = f.user("admin", agency, roles=[("exam_admin", agency)])
    db.session.commit()
    return user


def _finished(app, job) -> Job:
    app.extensions["jobs"].join()
    db.session.expire_all()
    return db.session.get(Job, job.id)


def test_a_job_runs_in_the_worker_thread_and_its_progress_reaches_total(thread_app, admin):
    job = enqueue("test.count", {"n": 5, "step": 2}, admin, admin.agency)
    assert job.worker == worker_name()
    job = _finished(thread_app, job)
    assert (job.state, job.done, job.total) == (JobState.DONE, 5, 5)
    assert job.result == {"sum": 30}                       # 2 · (1 + 2 + 3 + 4 + 5)
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    assert thread_app.extensions["jobs"].thread.name == "sathach-jobs"


def test_a_failing_job_records_its_error_and_its_cleanup_runs(thread_app, admin):
    job = _finished(thread_app, enqueue("test.boom", {"at": 3}, admin, admin.agency))
    assert (job.state, job.done, job.total) == (JobState.FAILED, 2, 4)   # steps 1 and 2 were reported
    assert job.error == "ValueError: boom at 3"
    assert job.id in kinds.CLEANED
    # the worker goes on with the next job
    after = _finished(thread_app, enqueue("test.count", {"n": 2}, admin, admin.agency))
    assert (after.state, after.result) == (JobState.DONE, {"sum": 3})


def _row(state, worker="", minutes_ago=0, **kw):
    then = utcnow() - timedelta(minutes=minutes_ago)
    job = Job(kind="test.count", params={"n": 1}, state=state, worker=worker, created_at=then,
              started_at=then if state == JobState.RUNNING else None,
              heartbeat_at=then if state == JobState.RUNNING else None, **kw)
    db.session.add(job)
    db.session.flush()
    return job


def test_jobs_of_a_dead_process_or_without_progress_are_failed(thread_app, admin):
    host = socket.gethostname()
    dead = _row(JobState.RUNNING, f"{host}:{2 ** 22 + 12345}")              # no such pid
    earlier_me = _row(JobState.QUEUED, worker_name())                         # this pid, not in the live set
    mine = _row(JobState.RUNNING, worker_name())                              # this pid, running here
    silent = _row(JobState.RUNNING, "elsewhere:1", minutes_ago=31)            # no beat for 31 > 30 minutes
    waiting = _row(JobState.QUEUED, "", minutes_ago=31)                       # nobody picked it up
    alive = _row(JobState.RUNNING, f"{host}:{os.getppid()}", minutes_ago=5)   # a live process, recent beat
    fresh = _row(JobState.QUEUED, "", minutes_ago=29)
    done = _row(JobState.DONE, f"{host}:{2 ** 22 + 12345}", minutes_ago=90)
    db.session.commit()
    assert stale_reason(mine, live={mine.id}) is None
    assert fail_stale(live={mine.id}) == 4
    db.session.expire_all()
    failed = {j.id: j.error for j in (dead, earlier_me, silent, waiting) if j.state == JobState.FAILED}
    assert failed == {dead.id: "stale: the process that ran the job stopped",
                      earlier_me.id: "stale: the process that ran the job stopped",
                      silent.id: "stale: no progress within the time limit",
                      waiting.id: "stale: no worker picked the job up within the time limit"}
    assert [j.state for j in (mine, alive, fresh, done)] == [JobState.RUNNING, JobState.RUNNING, JobState.QUEUED,
                                                             JobState.DONE]


def test_the_worker_thread_fails_what_an_earlier_process_left_running(thread_app, admin):
    left = _row(JobState.RUNNING, worker_name(), created_by_id=admin.id)     # "this pid" before a restart
    db.session.commit()
    _finished(thread_app, enqueue("test.count", {"n": 1}, admin, admin.agency))
    db.session.expire_all()
    assert (left.state, left.error) == (JobState.FAILED, "stale: the process that ran the job stopped")


def test_the_job_page_fails_a_stale_job_when_read(thread_app, admin):
    job = _row(JobState.RUNNING, "elsewhere:1", minutes_ago=45, created_by_id=admin.id, agency_id=admin.agency_id)
    db.session.commit()
    client = thread_app.test_client()
    client.post("/login", data={"username": "admin", "password": f.PASSWORD})
    data = client.get(f"/jobs/{job.id}.json").get_json()
    assert (data["state"], data["finished"], data["error"]) == ("failed", True,
                                                                "stale: no progress within the time limit")
