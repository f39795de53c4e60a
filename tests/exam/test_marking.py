"""Essays to markers (single, anonymous, double with reconciliation), overrides with a
reason, and audited regrades with a preview."""
from fractions import Fraction

import pytest
from sqlalchemy import select

from accounts.models import AuditLog
from exam import marking, services
from exam.models import AttemptState, BlueprintRule, RegradeJob
from extensions import db
from question_bank.models import Question, QuestionVersion
from tests.exam.conftest import key_of, login, wrong_of


def _essay_exam(world, double=False, anonymous=False):
    exam = world.exam
    exam.rules.append(BlueprintRule(position=1, category=world.essays, count=1, mark=Fraction(4), qtype="essay"))
    exam.double_marking, exam.anonymous_marking = double, anonymous
    db.session.flush()
    attempt = services.start_attempt(exam, world.alice)
    token = attempt.session_token
    for slot in attempt.slots:
        response = {"text": "Bài làm tự luận"} if slot.version.qtype == "essay" else {"choice": key_of(slot)}
        services.save_answer(attempt, token, slot.position, slot.position, response)
    services.finish_attempt(attempt)
    db.session.commit()
    essay = next(s for s in attempt.slots if s.version.qtype == "essay")
    return attempt, essay


def test_single_marking_is_final_and_retotals(world):
    attempt, essay = _essay_exam(world)
    assert (attempt.score, attempt.max_score, attempt.passed, attempt.needs_grading) == (10, 14, None, 1)
    assert marking.marking_queue(world.m1) == [essay]
    assert marking.mark_slot(essay, world.m1, Fraction(3), "good") is True
    assert (attempt.score, attempt.passed, attempt.needs_grading) == (13, True, 0)
    assert marking.marking_queue(world.m2) == []
    with pytest.raises(services.ExamError):
        marking.mark_slot(essay, world.m2, 1)                            # single marking: done
    with pytest.raises(services.ExamError):
        marking.set_grade(essay, 2, "", world.admin)                     # an override needs a reason


def test_double_marking_agreement_and_reconciliation(world):
    attempt, essay = _essay_exam(world, double=True)
    assert marking.mark_slot(essay, world.m1, Fraction(3)) is False      # waits for the second marker
    assert marking.marking_queue(world.m1) == [] and marking.marking_queue(world.m2) == [essay]
    with pytest.raises(services.ExamError):
        marking.mark_slot(essay, world.m1, 2)                            # once per marker
    assert marking.mark_slot(essay, world.m2, Fraction(1)) is False      # 3 ≠ 1: to reconcile
    assert marking.disputed(world.exam) == [essay] and attempt.needs_grading == 1
    marking.set_grade(essay, Fraction(2), "second reading by the chair", world.admin, "slot.reconcile")
    assert (attempt.score, attempt.needs_grading, attempt.passed) == (12, 0, True)
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "slot.reconcile")).one()
    assert (audit.reason, audit.after["score"]) == ("second reading by the chair", "12")
    assert marking.disputed(world.exam) == []


def test_double_marks_that_agree_are_final(world):
    attempt, essay = _essay_exam(world, double=True)
    marking.mark_slot(essay, world.m1, Fraction(4))
    assert marking.mark_slot(essay, world.m2, Fraction(4)) is True
    assert attempt.score == 14


def test_marking_pages_anonymous_and_override_route(world, app):
    attempt, essay = _essay_exam(world, anonymous=True)
    m1 = login(app, world.m1)
    queue = m1.get("/exam/marking").get_data(as_text=True)
    code = marking.candidate_code(attempt)
    assert code in queue and "Alice" not in queue
    page = m1.get(f"/exam/marking/{essay.id}").get_data(as_text=True)
    assert "Bài làm tự luận" in page and "Alice" not in page
    assert m1.post(f"/exam/marking/{essay.id}", data={"points": "9"}).status_code == 200   # above the mark
    assert m1.post(f"/exam/marking/{essay.id}", data={"points": "2.5"}).status_code == 302
    db.session.refresh(attempt)
    assert attempt.score == Fraction(25, 2)
    assert m1.get(f"/exam/marking/{essay.id}").status_code == 404                          # marked
    assert login(app, world.alice).get("/exam/marking").status_code == 403
    admin = login(app, world.admin)
    first = next(s for s in attempt.slots if s.version.qtype != "essay")
    url = f"/exam/admin/{world.exam.id}/slot/{first.id}/grade"
    admin.post(url, data={"points": "0"})                                                  # no reason: refused
    db.session.refresh(attempt)
    assert attempt.score == Fraction(25, 2)
    admin.post(url, data={"points": "0", "reason": "answer sheet shows a different choice"})
    db.session.refresh(attempt)
    assert attempt.score == Fraction(21, 2)


def _sat(world, user, right_positions):
    attempt = services.start_attempt(world.exam, user)
    for slot in attempt.slots:
        choice = key_of(slot) if slot.position in right_positions else wrong_of(slot)
        services.save_answer(attempt, attempt.session_token, slot.position, 1, {"choice": choice})
    services.finish_attempt(attempt)
    return attempt


def test_regrade_after_a_key_correction_previews_then_applies(world):
    world.exam.pass_fraction = Fraction(3, 5)
    alice = _sat(world, world.alice, {1, 2, 3})                          # 6 / 10: passed
    bob = _sat(world, world.bob, {1, 2})                                  # 4 / 10: not passed
    assert (alice.passed, bob.passed) == (True, False)
    # The key of bob's third question was wrong: the option bob chose was right.
    slot = bob.slots[2]
    question = db.session.get(Question, slot.version.question_id)
    old = slot.version
    payload = {**old.payload, "answers": [{**a, "fraction": "1" if a["id"] == bob.slots[2].response["choice"] else "0"}
                                          for a in old.payload["answers"]]}
    new = QuestionVersion(question_id=question.id, version=2, qtype=old.qtype, name=old.name, text=old.text,
                          payload=payload)
    db.session.add(new)
    db.session.flush()
    question.current_version_id = new.id
    db.session.commit()
    job = marking.preview_regrade(world.exam, question, "key", "key corrected by the council", world.admin)
    rows = {r["user"]: r for r in job.preview}
    assert rows["Bob"]["score_after"] == "6" and rows["Bob"]["passed_after"] is True
    assert bob.score == 4                                                 # nothing changed yet
    asked_alice = any(s.version.question_id == question.id for s in alice.slots)
    assert ("Alice" in rows) == asked_alice
    changed = marking.apply_regrade(job, world.admin)
    assert (bob.score, bob.passed) == (6, True) and bob.slots[2].version_id == new.id
    assert changed >= 1 and job.state == "applied" and job.done == job.total
    assert db.session.scalars(select(AuditLog).where(AuditLog.action == "attempt.regrade")).first().reason == \
        "key corrected by the council"
    with pytest.raises(services.ExamError):
        marking.apply_regrade(job, world.admin)


def test_regrade_exclusion_counts_zero_of_zero(world, app):
    bob = _sat(world, world.bob, {1, 2, 3})                               # 6 / 10
    question = db.session.get(Question, bob.slots[4].version.question_id)  # a wrong one
    admin = login(app, world.admin)
    r = admin.post(f"/exam/admin/{world.exam.id}/regrade",
                   data={"question_id": question.id, "kind": "exclude", "reason": "ambiguous wording"})
    job = db.session.scalars(select(RegradeJob)).one()
    assert r.headers["Location"].endswith(f"/regrade/{job.id}")
    page = admin.get(f"/exam/admin/{world.exam.id}/regrade/{job.id}").get_data(as_text=True)
    assert "Bob" in page and "6,00 / 10,00" in page and "6,00 / 8,00" in page
    admin.post(f"/exam/admin/{world.exam.id}/regrade/{job.id}")
    db.session.refresh(bob)
    assert (bob.score, bob.max_score, bob.state) == (6, 8, AttemptState.SUBMITTED)
    assert bob.slots[4].excluded


def test_regrade_from_the_command_line(world, runner):
    bob = _sat(world, world.bob, {1, 2, 3})
    question = db.session.get(Question, bob.slots[3].version.question_id)
    job = marking.preview_regrade(world.exam, question, "exclude", "printing error", world.admin)
    db.session.commit()
    result = runner.invoke(args=["exam", "regrade", str(job.id), "--actor", "admin"])
    assert result.exit_code == 0 and "1 result(s) changed" in result.output
    db.session.refresh(bob)
    assert (bob.score, bob.max_score) == (6, 8)
    again = runner.invoke(args=["exam", "regrade", str(job.id), "--actor", "admin"])
    assert again.exit_code != 0
