"""The exam page without a mouse, with a screen reader's eyes, larger text, and on a phone."""
import pytest
from sqlalchemy import select

from tests.browser.conftest import build_world, login_page, make_app, needs_chromium, saved, serve, start_in_page

pytestmark = needs_chromium


@pytest.fixture
def live(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'a11y.db'}", tmp_path)
    build_world(app)
    with serve(app) as base:
        yield app, base


def _response(app, position):
    from exam.models import Attempt
    from extensions import db

    with app.app_context():
        attempt = db.session.scalars(select(Attempt)).one()
        return next(s for s in attempt.slots if s.position == position).response


def test_keyboard_only_answer_flag_and_labels(live, browser):
    app, base = live
    page = browser.new_page()
    login_page(page, base, "alice")
    start_in_page(page, base)
    for _ in range(60):                                   # Tab until the first answer has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('#q-1 input[type=radio]')"):
            break
    else:
        raise AssertionError("the first answer cannot be reached with Tab")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")                      # the next option of the same question
    saved(page)
    chosen = page.evaluate("document.activeElement.value")
    page.wait_for_timeout(300)
    assert _response(app, 1) == {"choice": chosen}
    flag = page.locator("#q-1 [data-flag]")
    flag.focus()
    page.keyboard.press("Enter")
    assert flag.get_attribute("aria-pressed") == "true"
    unlabeled = page.evaluate("""() => Array.from(document.querySelectorAll(
        '#questions input, #questions select, #questions textarea, #questions button')).filter(
        el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim()).length""")
    assert unlabeled == 0
    assert page.locator("#timer[role=timer]").count() == 1 and page.locator("#save-status[aria-live]").count() == 1
    nav = page.locator(".qnav a[data-nav='1']").get_attribute("aria-label")
    assert nav and "1" in nav


def test_text_size_and_phone_layout(live, browser):
    _app, base = live
    page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    login_page(page, base, "alice")
    start_in_page(page, base)
    before = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#q-1 .qtext')).fontSize)")
    page.locator("[data-font='1']").click()
    page.locator("[data-font='1']").click()
    after = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#q-1 .qtext')).fontSize)")
    assert page.evaluate("document.documentElement.dataset.fontsize") == "2" and after > before
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *')).filter(
        el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(el => el.tagName + '.' + el.className + '#' + el.id).slice(0, 8)""")
    assert overflow <= 1, wide                                  # no sideways scrolling on a phone
    box = page.locator("#q-1 input[type=radio]").first.bounding_box()
    label = page.locator("#q-1 label.choice").first.bounding_box()
    assert label["height"] >= 24 and box["x"] >= 0        # a finger-sized target inside the screen
