"""Issue 5 "done when", in a real browser: the demo province's 2026 rating of the
Department of Home Affairs (Sở Nội vụ) goes from the engine run through the proposal, a
council decision with a reason, the council's close, the head's approval (locked) and
publication; a person sees nothing of their level before publication, then sees it and
files a complaint; the reward list follows the approved levels.

Values from the demo data (demo/data.py, worked by the engine; see
tests/classification/test_demo_flow.py): Sở Nội vụ rates 10 people, Q1–Q4 self-assessed
and reviewed 10/10; Đặng Thu Hà (tp.tcbm, head of division) scores 88.5 → GOOD, lowered by
the council to COMPLETED; Lê Minh Châu (nganhang) 99.375 → the one EXCELLENT; the title
"Lao động tiên tiến" goes to the 9 others rated GOOD or better."""
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import make_app, needs_chromium, serve

DEMO_PASSWORD = "Demo@2026"


@pytest.fixture
def demo_live(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path, WTF_CSRF_ENABLED=True)
    from demo.loader import load
    from extensions import db

    with app.app_context():
        db.create_all()
        load()
        from accounts.models import Agency
        snv = db.session.scalars(select(Agency).where(Agency.code == "SNV")).one().id
    with serve(app) as base:
        yield app, base, snv


def _login(browser, base, username, lang="vi"):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{username} could not log in"
    if page.evaluate("document.documentElement.lang") != lang:
        page.locator("form.lang button").click()
        page.wait_for_load_state()
    return page


def _row_id(app, username):
    from accounts.models import User
    from classification.models import YearlyClassification
    from extensions import db

    with app.app_context():
        return db.session.scalars(select(YearlyClassification.id).join(User, YearlyClassification.user_id == User.id)
                                  .where(User.username == username)).one()


def _runs(app) -> int:
    """Engine runs recorded for Sở Nội vụ's 2026 workflow."""
    from accounts.models import AuditLog
    from extensions import db

    with app.app_context():
        return len(db.session.scalars(select(AuditLog.id).where(AuditLog.action == "rating.run",
                                                                AuditLog.after["unit"].as_string() == "SNV")).all())


def _wait(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def _state(page):
    return page.locator("#rating-state").get_attribute("data-state")


@needs_chromium
def test_demo_rating_2026_through_to_locked_published_complaint_and_rewards(demo_live, browser):
    app, base, snv = demo_live
    results = f"{base}/rating/results/{snv}/2026"

    # HR (nhansu: hr_officer and council secretary of the province) runs and proposes
    hr = _login(browser, base, "nhansu")
    hr.goto(results)
    stages = hr.locator("#stages tbody tr")
    assert stages.count() == 4
    assert [stages.nth(i).get_attribute("data-reviewed") for i in range(4)] == ["10/10"] * 4
    runs = _runs(app)
    hr.locator(f"form[action$='/run/{snv}/2026'] button").first.click()
    hr.wait_for_load_state()
    _wait(lambda: _runs(app) > runs)          # the run may go to a background job (DECISIONS.md 18)
    hr.goto(results)
    assert _state(hr) == "draft" and hr.locator("table.rating-table tbody.person").count() == 10
    hr.locator("form[action*='/propose/'] button").click()
    hr.wait_for_load_state()
    assert _state(hr) == "proposed"

    # the council: Đặng Thu Hà lowered to COMPLETED, with a reason (an audited override)
    hr.goto(f"{base}/rating/decide/{_row_id(app, 'tp.tcbm')}")
    assert "88,50" in hr.locator("dl.facts").inner_text()
    hr.select_option("select[name=level]", "COMPLETED")
    hr.fill("textarea[name=reason]", "Chậm tiến độ quý IV")
    hr.locator("form[action*='/decide/'] button[type=submit]").click()
    hr.wait_for_load_state()
    assert "Chậm tiến độ quý IV" in hr.content()
    hr.locator("form[action*='/close/'] button").click()
    hr.wait_for_load_state()
    assert _state(hr) == "decided"

    # the head of the department approves: locked
    head = _login(browser, base, "giamdoc.snv")
    head.goto(results)
    head.locator("form[action*='/approve/'] button").click()
    head.wait_for_load_state()
    assert _state(head) == "approved"
    assert head.locator("form[action*='/run/']").count() == 0          # no run on a locked year

    # before publication the person sees nothing of their level
    person = _login(browser, base, "tp.tcbm")
    person.goto(f"{base}/rating/mine?year=2026")
    assert person.locator("#not-published").count() == 1 and person.locator("#my-level").count() == 0
    assert "Hoàn thành nhiệm vụ" not in person.locator("main").inner_text()

    # HR publishes (a minute ago, local time)
    from db_types import utcnow
    hr.goto(results)
    when = (utcnow() - timedelta(minutes=1) + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")
    hr.fill("input[name=published_at]", when)
    hr.locator("form[action*='/publish/'] button").click()
    hr.wait_for_load_state()
    assert hr.locator("#published").count() == 1

    # the person sees COMPLETED and files a complaint
    person.goto(f"{base}/rating/mine?year=2026")
    assert person.locator("#my-level").get_attribute("data-level") == "COMPLETED"
    assert "Hoàn thành nhiệm vụ" in person.locator("#my-level").inner_text()
    person.fill("textarea[name=text]", "Tôi hoàn thành đủ sản phẩm quý IV, đề nghị xem lại.")
    person.locator("#complaint-form button").click()
    person.wait_for_load_state()
    assert person.locator("[data-complaint][data-status=open]").count() == 1
    assert person.locator("#complaint-form").count() == 0               # one open complaint at a time

    # the council secretary sees it on the unit's page and answers it (rejected)
    hr.goto(results)
    assert hr.locator("[data-complaint][data-status=open]").count() == 1
    hr.locator("[data-complaint] a").first.click()
    hr.wait_for_load_state()
    hr.check("input[name=outcome][value=rejected]")
    hr.fill("textarea[name=answer]", "Hội đồng giữ nguyên: sản phẩm quý IV nộp chậm 7 ngày.")
    hr.locator("form[action*='/complaints/'] button[type=submit]").click()
    hr.wait_for_load_state()
    assert _state(hr) == "approved"
    person.reload()
    assert person.locator("[data-complaint][data-status=rejected]").count() == 1

    # the reward list: the title for the 9 rated GOOD or better, none for Đặng Thu Hà
    hr.goto(f"{base}/rating/rewards/{snv}/2026")
    assert hr.locator("#provisional").count() == 0
    rows = hr.locator("table tbody tr")
    assert rows.count() == 10
    titled = {rows.nth(i).locator("th").inner_text().split("\n")[0]: rows.nth(i).locator("td").nth(2).inner_text()
              for i in range(10)}
    assert [name for name, title in titled.items() if title.strip() == "—"] == ["Đặng Thu Hà"]
    assert "Hoàn thành xuất sắc nhiệm vụ" in hr.locator("table tbody tr", has_text="Lê Minh Châu").inner_text()
    # a Provincial Emulation Fighter title: tier 4, 15,000,000 VND from policies/local.json
    hr.select_option("select[name=person]", label=hr.locator("select[name=person] option",
                                                               has_text="Lê Minh Châu").inner_text())
    hr.select_option("select[name=kind]", "provincial_fighter")
    hr.fill("input[name=reference]", "QĐ 25/QĐ-UBND")
    hr.locator("form[action*='/rewards/'] button[type=submit]").click()
    hr.wait_for_load_state()
    row = hr.locator("table tbody tr", has_text="Lê Minh Châu")
    assert row.locator("td.num").last.inner_text() == "15.000.000"
