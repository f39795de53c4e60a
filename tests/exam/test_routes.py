"""The examinee's HTTP interface: autosave statuses, takeover, resume, CSRF on JSON."""
import re

from sqlalchemy import select

from exam.models import Attempt, Exam
from extensions import db


def _start(client, auth, username="cv.vp1"):
    auth.login(username)
    exam = db.session.scalars(select(Exam)).one()
    assert client.post(f"/exam/{exam.id}/start").status_code == 302
    attempt = db.session.scalars(select(Attempt).where(Attempt.user.has(username=username))).one()
    assert client.get(f"/exam/attempt/{attempt.id}").status_code == 200
    db.session.refresh(attempt)
    return attempt


def test_saves_resume_and_takeover(demo, client, auth, app):
    attempt = _start(client, auth)
    first_token = attempt.session_token
    url = f"/exam/attempt/{attempt.id}/save"
    slot = attempt.slots[0]
    answer = {"choice": slot.version.payload["answers"][0]["id"]} if slot.version.qtype == "multichoice" else None
    ok = client.post(url, json={"token": first_token, "position": 1, "seq": 1, "response": answer})
    assert ok.status_code == 200 and ok.json["status"] == "saved" and ok.json["seq"] == 1
    assert 0 < ok.json["remaining"] <= 3600
    replay = client.post(url, json={"token": first_token, "position": 1, "seq": 1, "response": {"x": 1}})
    assert replay.json["status"] == "stale"

    # A second tab (or device) opens the attempt: it takes over, the first tab gets 409.
    second = app.test_client()
    second.post("/login", data={"username": "cv.vp1", "password": "Demo@2026"})
    assert second.get(f"/exam/attempt/{attempt.id}").status_code == 200
    db.session.refresh(attempt)
    assert attempt.session_token != first_token
    stale_tab = client.post(url, json={"token": first_token, "position": 1, "seq": 2, "response": None})
    assert stale_tab.status_code == 409
    state = second.get(f"/exam/attempt/{attempt.id}/state").json
    assert state["answers"]["1"] == {"response": answer, "seq": 1, "flagged": False}

    bad = client.post(url, json={"token": first_token, "position": "x"})
    assert bad.status_code == 400


def test_closed_attempt_answers_410_and_page_shows_result(demo, client, auth):
    attempt = _start(client, auth)
    assert client.post(f"/exam/attempt/{attempt.id}/submit").status_code == 302
    closed = client.post(f"/exam/attempt/{attempt.id}/save",
                         json={"token": attempt.session_token, "position": 1, "seq": 5, "response": None})
    assert closed.status_code == 410
    page = client.get(f"/exam/attempt/{attempt.id}")
    assert page.status_code == 302 and page.headers["Location"].endswith("/result")


def test_json_save_without_csrf_token_is_refused(csrf_app):
    from demo.loader import load

    load()
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    login = client.post("/login", data={"username": "cv.vp1", "password": "Demo@2026",
                                        "csrf_token": token.group(1)})
    assert login.status_code == 302
    attempt_id = 1
    response = client.post(f"/exam/attempt/{attempt_id}/save", json={"position": 1, "seq": 1})
    assert response.status_code == 400
    assert "error" in response.json
