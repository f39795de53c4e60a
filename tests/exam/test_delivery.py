"""Starting, saving, submitting and closing attempts (DECISIONS.md 12)."""
from datetime import timedelta
from fractions import Fraction

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from db_types import utcnow
from exam import services
from exam.models import Attempt, AttemptState, LateSave
from extensions import db
from question_bank.models import Category
from tests import factories as f


@pytest.fixture
def setup(app):
    root = f.agency("P", kind="province")
    dept = f.agency("D", root, rating_unit=True)
    other = f.agency("O", root)
    bank = f.bank(root, [f.mc(f"Q{i}", key=i % 4) for i in range(10)])
    cat = db.session.scalars(select(Category).where(Category.bank_id == bank.id)).one()
    exam = f.exam(bank, dept, [(cat, 5, 2)])
    alice = f.user("alice", dept)
    outsider = f.user("olga", other)
    db.session.commit()
    return {"exam": exam, "alice": alice, "outsider": outsider, "cat": cat}


def test_start_draws_the_blueprint_with_a_stored_seed(setup):
    exam, alice = setup["exam"], setup["alice"]
    attempt = services.start_attempt(exam, alice)
    assert len(attempt.slots) == 5
    assert [s.position for s in attempt.slots] == [1, 2, 3, 4, 5]
    assert all(s.mark == 2 for s in attempt.slots)
    assert len({s.version_id for s in attempt.slots}) == 5          # no question twice
    again = services.draw_slots(exam, attempt.seed)                  # the seed reproduces the paper
    assert [(s.version.id, s.choice_order) for s in again] == [(s.version_id, s.choice_order) for s in attempt.slots]
    assert attempt.deadline - attempt.started_at == timedelta(minutes=60)


def test_second_start_resumes_the_same_attempt(setup):
    first = services.start_attempt(setup["exam"], setup["alice"])
    db.session.commit()
    second = services.start_attempt(setup["exam"], setup["alice"])
    assert second.id == first.id
    assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 1


def test_outsider_and_closed_window_are_refused(setup):
    with pytest.raises(services.ExamError):
        services.start_attempt(setup["exam"], setup["outsider"])
    setup["exam"].window_end = utcnow() - timedelta(minutes=1)
    with pytest.raises(services.ExamError):
        services.start_attempt(setup["exam"], setup["alice"])


def test_deadline_is_capped_by_the_window_end(setup):
    end = utcnow().replace(microsecond=0) + timedelta(minutes=20)
    setup["exam"].window_end = end
    attempt = services.start_attempt(setup["exam"], setup["alice"])
    assert attempt.deadline == end


def test_save_keeps_the_newest_and_rejects_stale_and_foreign_tokens(setup):
    attempt = services.start_attempt(setup["exam"], setup["alice"])
    token = attempt.session_token
    assert services.save_answer(attempt, token, 1, 5, {"choice": "a"}).status == "saved"
    assert services.save_answer(attempt, token, 1, 3, {"choice": "b"}).status == "stale"   # older seq
    assert services.save_answer(attempt, token, 1, 5, {"choice": "b"}).status == "stale"   # replay
    assert services.save_answer(attempt, "x" * 32, 1, 9, {"choice": "c"}).status == "conflict"
    db.session.commit()
    slot = attempt.slots[0]
    db.session.refresh(slot)
    assert (slot.response, slot.saved_seq) == ({"choice": "a"}, 5)
    new_token = services.take_over(attempt)                         # a second tab takes over
    assert services.save_answer(attempt, token, 1, 10, {"choice": "d"}).status == "conflict"
    assert services.save_answer(attempt, new_token, 1, 10, {"choice": "d"}).status == "saved"


def test_save_after_deadline_plus_grace_is_refused(setup, app):
    attempt = services.start_attempt(setup["exam"], setup["alice"])
    attempt.deadline = utcnow() - timedelta(seconds=app.config["ATTEMPT_GRACE_SECONDS"] + 1)
    assert services.save_answer(attempt, attempt.session_token, 1, 1, {"choice": "a"}).status == "late"
    assert services.save_answer(attempt, "x" * 32, 1, 2, {"choice": "b"}).status == "closed"   # old tab: dropped
    late = db.session.scalars(select(LateSave)).all()
    assert [(x.position, x.seq, x.response, x.state) for x in late] == [(1, 1, {"choice": "a"}, "pending")]
    assert attempt.slots[0].response is None                          # kept aside, not counted


def _key(slot):
    return next(a["id"] for a in slot.version.payload["answers"] if a["fraction"] == "1")


def test_submit_grades_once_however_often_it_is_pressed(setup):
    attempt = services.start_attempt(setup["exam"], setup["alice"])
    for slot in attempt.slots[:3]:                                   # 3 right of 5, 2 marks each
        services.save_answer(attempt, attempt.session_token, slot.position, 1, {"choice": _key(slot)})
    wrong = next(a["id"] for a in attempt.slots[3].version.payload["answers"] if a["fraction"] == "0")
    services.save_answer(attempt, attempt.session_token, 4, 1, {"choice": wrong})
    db.session.commit()
    assert services.finish_attempt(attempt) is True
    assert services.finish_attempt(attempt) is False                 # second press: nothing changes
    assert (attempt.score, attempt.max_score, attempt.passed) == (Fraction(6), Fraction(10), True)
    assert attempt.state == AttemptState.SUBMITTED
    assert services.save_answer(attempt, attempt.session_token, 5, 9, {"choice": "a"}).status == "closed"


def test_close_overdue_grades_what_was_saved(setup, app):
    attempt = services.start_attempt(setup["exam"], setup["alice"])
    slot = attempt.slots[0]
    services.save_answer(attempt, attempt.session_token, 1, 1, {"choice": _key(slot)})
    attempt.deadline = utcnow() - timedelta(seconds=app.config["ATTEMPT_GRACE_SECONDS"] + 5)
    db.session.commit()
    assert services.close_overdue() == 1
    assert services.close_overdue() == 0
    assert attempt.state == AttemptState.TIMED_OUT
    assert (attempt.score, attempt.passed) == (Fraction(2), False)   # 2 of 10 < 50 %


def test_infeasible_blueprint_cannot_open(setup):
    exam = setup["exam"]
    exam.rules[0].count = 11
    with force_locale("en"):
        assert [(p.label, p.asked, p.available) for p in services.check_feasible(exam)] == [("Chung", 11, 10)]
    with pytest.raises(services.ExamError):
        services.open_exam(exam, setup["alice"])
