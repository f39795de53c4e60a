"""The home page's start button asks for the exam password when the exam has one."""
import re

from sqlalchemy import select

from exam import access
from exam.models import Attempt
from extensions import db
from tests.security.helpers import login_as


def _english(client):
    with client.session_transaction() as s:
        s["lang"] = "en"
    return client


def _start_form(page: str, exam_id: int) -> str:
    found = re.search(r'<form[^>]*action="/exam/%d/start\?next=/"[^>]*>(.*?)</form>' % exam_id, page, re.S)
    assert found, page
    return found.group(1)


def test_the_password_field_appears_only_for_an_exam_with_a_password(world, app, client):
    _english(login_as(client, world.alice))
    assert 'name="password"' not in _start_form(client.get("/").get_data(as_text=True), world.exam.id)
    access.set_password(world.exam, "phong-thi-A2")
    db.session.commit()
    form = _start_form(client.get("/").get_data(as_text=True), world.exam.id)
    assert 'name="password" type="password"' in form and "Exam password" in form


def test_a_wrong_password_is_shown_on_the_home_page_and_the_right_one_starts(world, app, client):
    access.set_password(world.exam, "phong-thi-A2")
    db.session.commit()
    _english(login_as(client, world.alice))
    wrong = client.post(f"/exam/{world.exam.id}/start?next=/", data={"password": "sai-mat-khau"})
    assert wrong.status_code == 302 and wrong.headers["Location"] == "/"
    assert "The exam password is wrong." in client.get("/").get_data(as_text=True)
    assert db.session.scalars(select(Attempt).where(Attempt.user_id == world.alice.id)).first() is None

    right = client.post(f"/exam/{world.exam.id}/start?next=/", data={"password": "phong-thi-A2"})
    attempt = db.session.scalars(select(Attempt).where(Attempt.user_id == world.alice.id)).one()
    assert right.headers["Location"] == f"/exam/attempt/{attempt.id}"


def test_an_offsite_next_falls_back_to_the_list_of_tests(world, app, client):
    access.set_password(world.exam, "phong-thi-A2")
    db.session.commit()
    login_as(client, world.alice)
    for target in ("//evil.example/", "https://evil.example/"):
        response = client.post(f"/exam/{world.exam.id}/start", query_string={"next": target},
                               data={"password": "x"})
        assert response.headers["Location"] == "/exam/"
