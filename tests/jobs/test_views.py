"""Sync mode (the default under TESTING) end to end through the views: the regrade apply
and the rating run queue a job and redirect to its progress page; who may see it."""
from fractions import Fraction

import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from accounts.models import AuditLog
from classification.models import ClassificationState, RatingWorkflow, YearlyClassification
from exam import marking, services
from exam.models import RegradeJob
from extensions import db
from jobs.models import Job, JobState
from tests import factories as f
from tests.classification.conftest import unit  # noqa: F401  (fixture)
from tests.exam.conftest import key_of, wrong_of, world  # noqa: F401  (fixtures)
from tests.exam.conftest import login as _login


def login(app, user):
    """A logged-in client reading the pages in English (the msgids).  The tests hold one app
    context for every request, where Flask-Babel caches the locale: forget the cached one."""
    client = _login(app, user)
    client.post("/lang/en")
    refresh()
    return client


def _sit(world, user, wrong_question=None):
    """Every question right except ``wrong_question`` (a question id)."""
    attempt = services.start_attempt(world.exam, user)
    for slot in attempt.slots:
        right = slot.version.question_id != wrong_question
        services.save_answer(attempt, attempt.session_token, slot.position, 1,
                             {"choice": key_of(slot) if right else wrong_of(slot)})
    services.finish_attempt(attempt)
    return attempt


@pytest.fixture
def sat(world):
    """All 10 questions asked of both (2 points each); alice answered question ``q`` wrong:
    alice 18/20, bob 20/20; excluding ``q`` makes both 18/18."""
    world.exam.rules[0].count = 10
    db.session.flush()
    bob = services.start_attempt(world.exam, world.bob)
    q = bob.slots[0].version.question_id
    alice = _sit(world, world.alice, wrong_question=q)
    for slot in bob.slots:
        services.save_answer(bob, bob.session_token, slot.position, 1, {"choice": key_of(slot)})
    services.finish_attempt(bob)
    db.session.commit()
    assert (alice.score, alice.max_score, bob.score, bob.max_score) == (18, 20, 20, 20)
    return alice, bob, q


def _preview(admin, world, q) -> RegradeJob:
    admin.post(f"/exam/admin/{world.exam.id}/regrade", data={"question_id": q, "kind": "exclude",
                                                             "reason": "ambiguous wording"})
    return db.session.scalars(select(RegradeJob)).one()


def _count(action) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == action))


def test_regrade_apply_is_a_job_with_a_progress_page(world, sat, app):
    alice, bob, q = sat
    admin = login(app, world.admin)
    regrade = _preview(admin, world, q)
    response = admin.post(f"/exam/admin/{world.exam.id}/regrade/{regrade.id}")
    job = db.session.scalars(select(Job)).one()
    assert response.status_code == 302 and response.headers["Location"] == f"/jobs/{job.id}"
    assert (job.kind, job.state, job.done, job.total) == ("exam.regrade", JobState.DONE, 2, 2)
    assert job.params == {"regrade_id": regrade.id, "exam_id": world.exam.id, "actor_id": world.admin.id}
    assert (job.created_by_id, job.agency_id, job.result) == (world.admin.id, world.dept.id,
                                                              {"changed": 2, "attempts": 2})
    db.session.expire_all()
    assert [(a.score, a.max_score) for a in (alice, bob)] == [(18, 18), (18, 18)]
    assert regrade.state == "applied" and regrade.done == 2
    assert (_count("attempt.regrade"), _count("exam.regrade_apply")) == (2, 1)   # the audit as before

    page = admin.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert '<progress max="1" value="1"' in page and f'data-status-url="/jobs/{job.id}.json"' in page
    assert "Regrade applied: 2 result(s) changed." in page
    assert f'href="/exam/admin/{world.exam.id}/regrade/{regrade.id}"' in page
    assert '<script src="/static/js/jobs.js" defer></script>' in page and "<script>" not in page
    data = admin.get(f"/jobs/{job.id}.json").get_json()
    assert {k: data[k] for k in ("state", "done", "total", "finished", "error", "result_url")} == {
        "state": "done", "done": 2, "total": 2, "finished": True, "error": None,
        "result_url": f"/exam/admin/{world.exam.id}/regrade/{regrade.id}"}
    assert f'href="/jobs/{job.id}"' in admin.get(f"/exam/admin/{world.exam.id}/regrade/{regrade.id}").get_data(
        as_text=True)

    again = admin.post(f"/exam/admin/{world.exam.id}/regrade/{regrade.id}")
    assert again.headers["Location"].endswith(f"/regrade/{regrade.id}")
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1 and _count("attempt.regrade") == 2


def test_a_failed_regrade_keeps_what_was_done_and_can_be_applied_again(world, sat, app, monkeypatch):
    alice, bob, q = sat
    app.config["JOBS_PROGRESS_SECONDS"] = 0           # a checkpoint after every attempt
    real, calls = marking.grade, []

    def flaky(attempt):
        calls.append(attempt.id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(attempt)

    monkeypatch.setattr(marking, "grade", flaky)
    admin = login(app, world.admin)
    regrade = _preview(admin, world, q)
    admin.post(f"/exam/admin/{world.exam.id}/regrade/{regrade.id}")
    job = db.session.scalars(select(Job)).one()
    assert (job.state, job.error, job.done, job.total) == (JobState.FAILED, "RuntimeError: disk full", 1, 2)
    db.session.expire_all()
    # bob's attempt (the first started) was regraded and committed before alice's failed
    assert (bob.score, bob.max_score, alice.score, alice.max_score) == (18, 18, 18, 20)
    assert (regrade.state, regrade.done, _count("attempt.regrade")) == ("preview", 0, 1)
    page = admin.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "RuntimeError: disk full" in page and "1 attempt(s) were regraded, each audited" in page

    monkeypatch.setattr(marking, "grade", real)
    response = admin.post(f"/exam/admin/{world.exam.id}/regrade/{regrade.id}")
    second = db.session.scalars(select(Job).where(Job.id != job.id)).one()
    assert response.headers["Location"] == f"/jobs/{second.id}"
    assert (second.state, second.result) == (JobState.DONE, {"changed": 1, "attempts": 2})   # only alice's changes
    db.session.expire_all()
    assert (alice.score, alice.max_score, regrade.state, _count("attempt.regrade")) == (18, 18, "applied", 3)


def test_who_sees_a_job(world, sat, app):
    _alice, _bob, q = sat
    admin = login(app, world.admin)
    admin.post(f"/exam/admin/{world.exam.id}/regrade/{_preview(admin, world, q).id}")
    job = db.session.scalars(select(Job)).one()
    colleague = f.user("admin2", world.root, roles=[("exam_admin", world.root)])     # above the exam's agency
    elsewhere = f.user("admin3", world.olga.agency, roles=[("exam_admin", world.olga.agency)])
    hr = f.user("hr", world.dept, roles=[("hr_officer", world.dept)])                # not the kind's role
    db.session.commit()
    for user, status in ((colleague, 200), (elsewhere, 404), (hr, 404), (world.m1, 404), (world.alice, 404)):
        client = login(app, user)
        assert client.get(f"/jobs/{job.id}").status_code == status, user.username
        assert client.get(f"/jobs/{job.id}.json").status_code == status, user.username
    anonymous = app.test_client().get(f"/jobs/{job.id}.json")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert login(app, world.admin).get(f"/jobs/{job.id + 1}").status_code == 404


def test_the_rating_run_is_a_job(unit, app):  # noqa: F811
    staff = unit["make"]([95, 80, Fraction(145, 2)])
    hr = login(app, unit["hr"])
    response = hr.post(f"/rating/run/{unit['U'].id}/2026")
    job = db.session.scalars(select(Job)).one()
    assert response.headers["Location"] == f"/jobs/{job.id}"
    assert (job.kind, job.state, job.done, job.total, job.result) == ("rating.run", JobState.DONE, 3, 3,
                                                                      {"written": 3, "rows": 3})
    scores = {r.user_id: r.score for r in db.session.scalars(select(YearlyClassification))}
    assert scores == {staff[0].id: 95, staff[1].id: 80, staff[2].id: Fraction(145, 2)}
    page = hr.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Rated 3 people." in page and f'href="/rating/results/{unit["U"].id}/2026"' in page
    assert login(app, unit["outsider"]).get(f"/jobs/{job.id}").status_code == 404
    assert login(app, unit["head"]).get(f"/jobs/{job.id}").status_code == 404   # sees results, not HR's jobs


def test_a_refused_rating_run_shows_why(unit, app):  # noqa: F811
    unit["make"]([90])
    db.session.add(RatingWorkflow(agency_id=unit["U"].id, year=2026, state=ClassificationState.PROPOSED))
    db.session.commit()
    hr = login(app, unit["hr"])
    hr.post(f"/rating/run/{unit['U'].id}/2026")
    job = db.session.scalars(select(Job)).one()
    assert job.state == JobState.FAILED and "Agency U" in job.error and "“proposed”" in job.error
    assert db.session.scalar(select(func.count()).select_from(YearlyClassification)) == 0
    page = hr.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert job.error in page and "Failed." in page
