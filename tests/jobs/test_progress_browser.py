"""The progress page in a real browser (thread mode, a live server): static/js/jobs.js
moves the bar while the job runs and reloads the page when it has finished; CSP holds."""
import time

import pytest

from extensions import db
from jobs import enqueue
from tests import factories as f
from tests.browser.conftest import browser, login_page, serve  # noqa: F401  (fixture)
from tests.jobs import kinds
from tests.jobs.conftest import make_app


@pytest.fixture
def live(tmp_path):
    app = make_app(tmp_path, TESTING=False, JOBS_MODE="thread", JOBS_PROGRESS_SECONDS=0)
    with app.app_context():
        db.create_all()
        agency = f.agency("D")
        admin = f.user("admin", agency, roles=[("exam_admin", agency)])
        db.session.commit()
        with serve(app) as base:
            yield app, base, admin
        kinds.GATE.set()
        app.extensions["jobs"].join()


def _until(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_the_bar_moves_and_the_page_shows_the_finished_job(live, browser):  # noqa: F811
    app, base, admin = live
    kinds.GATE.clear()
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    login_page(page, base, "admin")
    with app.app_context():
        job = enqueue("test.gated", {}, admin, admin.agency)
    page.goto(f"{base}/jobs/{job.id}")
    bar = page.locator("#job progress")
    _until(lambda: bar.evaluate("b => [b.value, b.max]") == [1, 3])       # moved by the poll, no reload
    assert page.locator("#job").get_attribute("data-state") == "running"
    kinds.GATE.set()
    _until(lambda: page.locator("#job").get_attribute("data-state") == "done")
    page.wait_for_load_state()
    _until(lambda: page.locator("[data-job-state=done]").is_visible())
    assert bar.evaluate("b => [b.value, b.max]") == [1, 1]
    assert not problems, problems
