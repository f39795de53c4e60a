"""Sequential navigation, the summary page, and practice quizzes."""
import random

from sqlalchemy import select

from exam import practice, services
from exam.models import Attempt, PracticeQuiz
from extensions import db
from question_bank.models import QuestionVersion
from tests.exam.conftest import key_of, login, wrong_of


def _sit(app, world, user):
    client = login(app, user)
    client.post(f"/exam/{world.exam.id}/start")
    attempt = db.session.scalars(select(Attempt).where(Attempt.user_id == user.id)).one()
    page = client.get(f"/exam/attempt/{attempt.id}").get_data(as_text=True)
    db.session.refresh(attempt)
    return client, attempt, page


def test_sequential_shows_one_question_and_never_goes_back(world, app):
    world.exam.navigation = "sequential"
    db.session.commit()
    client, attempt, page = _sit(app, world, world.alice)
    assert page.count('<section class="question') == 1 and 'id="q-1"' in page and 'id="next-form"' in page
    save = f"/exam/attempt/{attempt.id}/save"
    ok = client.post(save, json={"token": attempt.session_token, "position": 1, "seq": 1,
                                 "response": {"choice": key_of(attempt.slots[0])}})
    assert ok.json["status"] == "saved"
    ahead = client.post(save, json={"token": attempt.session_token, "position": 3, "seq": 2, "response": None})
    assert (ahead.status_code, ahead.json["status"]) == (200, "locked")
    assert client.post(f"/exam/attempt/{attempt.id}/next", data={"position": 1}).status_code == 302
    assert client.post(f"/exam/attempt/{attempt.id}/next", data={"position": 1}).status_code == 302   # double press
    db.session.refresh(attempt)
    assert attempt.current_position == 2                                  # moved once, not twice
    page = client.get(f"/exam/attempt/{attempt.id}").get_data(as_text=True)
    db.session.refresh(attempt)
    assert 'id="q-2"' in page and 'id="q-1"' not in page
    back = client.post(save, json={"token": attempt.session_token, "position": 1, "seq": 3, "response": None})
    assert back.json["status"] == "locked"
    db.session.refresh(attempt.slots[0])
    assert attempt.slots[0].response == {"choice": key_of(attempt.slots[0])}
    for position in range(2, 6):
        client.post(f"/exam/attempt/{attempt.id}/next", data={"position": position})
    after_last = client.get(f"/exam/attempt/{attempt.id}")
    assert after_last.headers["Location"].endswith("/summary")
    summary = client.get(f"/exam/attempt/{attempt.id}/summary").get_data(as_text=True)
    assert f'#q-1"' not in summary                                        # no way back
    assert summary.count("badge ok") == 1 and summary.count("badge warn") == 4   # 1 answered, 4 not


def test_summary_lists_answered_unanswered_and_flagged(world, app):
    client, attempt, _page = _sit(app, world, world.bob)
    save = f"/exam/attempt/{attempt.id}/save"
    client.post(save, json={"token": attempt.session_token, "position": 2, "seq": 1,
                            "response": {"choice": wrong_of(attempt.slots[1])}, "flagged": True})
    client.post(save, json={"token": attempt.session_token, "position": 4, "seq": 2, "response": {"choice": ""}})
    page = client.get(f"/exam/attempt/{attempt.id}/summary").get_data(as_text=True)
    assert page.count("badge ok") == 1 and page.count("badge warn") == 4 and page.count("badge info") == 1
    assert f'href="/exam/attempt/{attempt.id}#q-4"' in page
    assert services.has_answer({"choice": "b"}) and not services.has_answer({"choice": ""})
    assert services.has_answer({"value": False}) and not services.has_answer({"text": "  "})
    assert not services.has_answer({"choices": []}) and services.has_answer({"pairs": {"a": "1"}})


def test_practice_gives_feedback_and_never_counts(world, app):
    version = db.session.scalars(select(QuestionVersion).where(QuestionVersion.name == "Q3")).one()
    version.general_feedback = "<p>Vì Điều 3 quy định như vậy.</p>"
    version.legal_reference = "Luật 80/2025/QH15, Điều 3"
    db.session.commit()
    client = login(app, world.alice)
    home = client.get("/exam/practice").get_data(as_text=True)
    assert "Bank B1" in home
    r = client.post("/exam/practice", data={"bank": world.bank.id, "count": 10})
    quiz = db.session.scalars(select(PracticeQuiz)).one()
    assert r.headers["Location"].endswith(f"/exam/practice/{quiz.id}/1")
    assert len(quiz.items) == 10                                          # the 10 multiple-choice, no essay
    position = quiz.items.index(version.id) + 1
    key = next(a["id"] for a in version.payload["answers"] if a["fraction"] == "1")
    client.post(f"/exam/practice/{quiz.id}/{position}", data={"q1": key})
    page = client.get(f"/exam/practice/{quiz.id}/{position}").get_data(as_text=True)
    assert "Vì Điều 3 quy định như vậy." in page and "Luật 80/2025/QH15, Điều 3" in page
    assert "badge ok" in page
    db.session.refresh(quiz)
    assert quiz.answers[str(position)]["fraction"] == "1"
    assert practice.score(quiz) == (1, 10)
    assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 0   # nothing official
    other = login(app, world.bob)
    assert other.get(f"/exam/practice/{quiz.id}/1").status_code == 404


def test_practice_banks_follow_the_agency_line(world):
    assert [b.id for b in practice.banks_for(world.alice)] == [world.bank.id]   # owned by the province root
    quiz = practice.start_practice(world.alice, world.bank, 3, rng=random.Random(1))
    assert len(quiz.items) == 3
    wrong = practice.answer(quiz, 1, None)
    assert wrong["fraction"] == "0"
