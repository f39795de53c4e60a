"""RQ mode against the Redis of ``REDIS_URL_TEST`` (``.ci/run`` sets it), with rq's
SimpleWorker in burst mode — the worker ``flask jobs worker`` runs.  Each test uses a queue
of its own name and deletes it."""
import os
import uuid

import pytest

from extensions import db
from jobs import enqueue
from jobs.models import Job, JobState
from tests import factories as f
from tests.jobs.conftest import make_app

REDIS_URL = os.environ.get("REDIS_URL_TEST")


def _redis_or_skip():
    if not REDIS_URL:
        pytest.skip("REDIS_URL_TEST is not set (.ci/run sets it to the local Redis): RQ mode not tested")
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except RedisDown:
        pytest.skip(f"no Redis answers at {REDIS_URL}: RQ mode not tested")


@pytest.fixture
def rq_app(tmp_path):
    _redis_or_skip()
    app = make_app(tmp_path, JOBS_MODE="rq", REDIS_URL=REDIS_URL, JOBS_QUEUE=f"sathach-test-{uuid.uuid4().hex[:8]}",
                   JOBS_PROGRESS_SECONDS=0)
    with app.app_context():
        db.create_all()
        yield app
        app.extensions["jobs"].queue().delete(delete_jobs=True)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def admin(rq_app):
    agency = f.agency("D")
    user = f.user("admin", agency, roles=[("exam_admin", agency)])
    db.session.commit()
    return user


def _burst(app):
    from rq import SimpleWorker

    runner = app.extensions["jobs"]
    SimpleWorker([runner.queue()], connection=runner.connection()).work(burst=True)
    db.session.expire_all()


def test_a_job_waits_on_the_queue_until_the_worker_runs_it(rq_app, admin):
    job = enqueue("test.count", {"n": 4}, admin, admin.agency)
    assert (job.state, job.worker) == (JobState.QUEUED, "")
    assert rq_app.extensions["jobs"].queue().count == 1
    result = rq_app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.state, job.done, job.total, job.result) == (JobState.DONE, 4, 4, {"sum": 10})
    assert job.worker.endswith(f":{os.getpid()}")         # the SimpleWorker ran it in this process
    listed = rq_app.test_cli_runner().invoke(args=["jobs", "list"]).output
    assert f"{job.id}  test.count" in listed and "done" in listed and "4/4" in listed


def test_a_failing_job_records_its_error_in_the_worker(rq_app, admin):
    job = enqueue("test.boom", {"at": 1}, admin, admin.agency)
    _burst(rq_app)
    job = db.session.get(Job, job.id)
    assert (job.state, job.error, job.done) == (JobState.FAILED, "ValueError: boom at 1", 0)


def test_a_job_failed_before_the_worker_came_is_not_run(rq_app, admin):
    job = enqueue("test.count", {"n": 3}, admin, admin.agency)
    job.state, job.error = JobState.FAILED, "stale: no worker picked the job up within the time limit"
    db.session.commit()
    _burst(rq_app)
    job = db.session.get(Job, job.id)
    assert (job.state, job.done, job.result) == (JobState.FAILED, 0, None)


def test_the_worker_command_needs_redis(tmp_path):
    app = make_app(tmp_path, JOBS_MODE="thread")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output


def test_a_job_that_cannot_be_queued_fails_at_once(tmp_path):
    app = make_app(tmp_path, JOBS_MODE="rq", REDIS_URL="redis://127.0.0.1:1/0")   # nothing listens on port 1
    with app.app_context():
        db.create_all()
        agency = f.agency("D")
        user = f.user("admin", agency, roles=[("exam_admin", agency)])
        db.session.commit()
        job = enqueue("test.count", {"n": 1}, user, agency)
        assert job.state == JobState.FAILED and job.error.startswith("could not be queued: ConnectionError")
        db.session.remove()
        db.engine.dispose()
