"""A matching, an ordering and a cloze question answered in a real browser (Debian's
chromium): the exam page's script sends each type's response, and the submitted attempt is
graded to the values worked by hand; the bank editor's live preview of the same types
works in the page (no script error)."""
import time
from fractions import Fraction

import pytest
from sqlalchemy import select

from tests.browser.conftest import login_page, make_app, needs_chromium, serve

pytestmark = needs_chromium

PAIRS = [("Bộ Tài chính", "ngân sách"), ("Bộ Nội vụ", "công chức"), ("Bộ Tư pháp", "hộ tịch")]
STEPS = ["Lập kế hoạch", "Chuẩn bị", "Tổ chức", "Đánh giá"]
CLOZE = ("Thủ đô là {1:MULTICHOICE:=Hà Nội~Huế}; cơ quan quản lý ngân sách là {2:SHORTANSWER:=Bộ Tài chính~"
         "%50%BTC}; Luật Đấu thầu số 22 ban hành năm {1:NUMERICAL:=2023:0}.")


@pytest.fixture
def live(tmp_path):
    from extensions import db
    from question_bank.models import Category
    from tests import factories as f

    app = make_app(f"sqlite:///{tmp_path / 'live.db'}", tmp_path)
    with app.app_context():
        db.create_all()
        root = f.agency("P", kind="province")
        dept = f.agency("D", root)
        bank = f.bank(root, [
            f.matching("Nối cơ quan", PAIRS, distractors=["quốc phòng"], category=("Nối",)),
            f.ordering("Sắp xếp các bước", STEPS, grading="absolute_position", category=("Sắp xếp",)),
            f.cloze("Điền", CLOZE, category=("Điền",)),
        ])
        cats = {c.name: c for c in db.session.scalars(select(Category))}
        f.exam(bank, dept, [(cats["Nối"], 1, 2), (cats["Sắp xếp"], 1, 1), (cats["Điền"], 1, 3)])
        f.user("alice", dept)
        f.user("editor", root, roles=[("bank_editor", root)])
        db.session.commit()
    with serve(app) as base:
        yield app, base


def _attempt(app):
    from exam.models import Attempt
    from extensions import db

    with app.app_context():
        db.session.expire_all()
        attempt = db.session.scalars(select(Attempt)).one()
        return attempt, {s.version.qtype: s for s in attempt.slots}


def test_the_three_types_answered_in_the_browser(live, browser):
    app, base = live
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login_page(page, base, "alice")
    page.goto(base + "/exam/")
    page.locator("form[action*='/start'] button").first.click()
    page.wait_for_url("**/exam/attempt/*")
    _a, slots = _attempt(app)
    m, o, c = (slots[t].position for t in ("matching", "ordering", "cloze"))
    shown = slots["ordering"].choice_order

    # Matching: 2 of 3 right.
    page.select_option(f"#q{m}-s1", "ngân sách")
    page.select_option(f"#q{m}-s2", "công chức")
    page.select_option(f"#q{m}-s3", "quốc phòng")
    # Ordering: move the items with ▲ into 2 1 3 4 (items 3 and 4 in place: 1/2).
    want = ["2", "1", "3", "4"]
    for target, item in enumerate(want):
        current = page.eval_on_selector_all(f"#q{o}-list li", "els => els.map(e => e.dataset.id)")
        for _ in range(current.index(item) - target):
            page.locator(f"#q{o}-list li[data-id='{item}'] [data-move=up]").click()
    if page.eval_on_selector_all(f"#q{o}-list li", "els => els.map(e => e.dataset.id)") == shown:
        page.locator(f"[data-position='{o}'] [data-keep-order]").click()     # already in that order
    # Cloze: the choice right, "btc" half, 2022 wrong: 1/2.
    page.select_option(f"#q{c}-p1", "a")
    page.fill(f"#q{c}-p2", "btc")
    page.fill(f"#q{c}-p3", "2022")

    expected = {"matching": {"pairs": {"1": "ngân sách", "2": "công chức", "3": "quốc phòng"}},
                "ordering": {"order": want},
                "cloze": {"parts": {"1": {"choice": "a"}, "2": {"text": "btc"}, "3": {"text": "2022"}}}}
    deadline = time.time() + 20
    while time.time() < deadline:
        _a, slots = _attempt(app)
        if {t: s.response for t, s in slots.items()} == expected:
            break
        page.wait_for_timeout(300)
    assert {t: s.response for t, s in slots.items()} == expected

    page.goto(page.url.rstrip("/") + "/summary")
    page.locator("form[action$='/submit'] button").click()
    page.wait_for_url("**/result")
    attempt, slots = _attempt(app)
    assert {t: (s.grade_state, s.fraction) for t, s in slots.items()} == {
        "matching": ("partial", Fraction(2, 3)), "ordering": ("partial", Fraction(1, 2)),
        "cloze": ("partial", Fraction(1, 2))}
    assert (attempt.score, attempt.max_score, attempt.passed) == (Fraction(10, 3), Fraction(6), True)
    assert errors == []


def test_the_editor_preview_of_the_new_types(live, browser):
    app, base = live
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login_page(page, base, "editor")
    page.goto(base + "/bank/1/new?qtype=ordering")
    page.fill("#text", "Sắp xếp")
    for i, step in enumerate(STEPS):
        page.fill(f"#items-{i}-text", step)
    page.locator("#items-rows tr").nth(1).locator("[data-row-move=up]").click()      # Chuẩn bị first
    assert [page.input_value(f"#items-{i}-text") for i in range(4)] == [STEPS[1], STEPS[0], STEPS[2], STEPS[3]]
    page.wait_for_function("() => document.querySelectorAll('#question-preview li[data-id]').length === 4")
    page.wait_for_timeout(800)
    preview = page.locator("#question-preview li .itext").all_inner_texts()
    assert preview == [STEPS[0], STEPS[2], STEPS[3], STEPS[1]]     # turned by one place: never the key
    page.locator("#question-preview li").first.locator("[data-move=down]").click()
    assert page.locator("#question-preview li .itext").all_inner_texts()[:2] == [STEPS[2], STEPS[0]]

    page.locator("[data-add-row='items-rows']").click()
    assert page.locator("#items-rows tr").count() == 5
    assert page.locator("#items-rows tr").nth(4).locator("[data-rownum]").inner_text() == "5"

    page.goto(base + "/bank/1/new?qtype=cloze")
    page.fill("#text", "Năm {1:NUMERICAL:=2023:0} và {1:FOO:=x}")
    page.wait_for_function("() => (document.querySelector('#question-preview .alert-warning') || {})"
                           ".innerText?.includes('{1:FOO:=x}')")
    assert page.locator("#question-preview [data-part]").count() == 1
    assert errors == []
