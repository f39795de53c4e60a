"""A marker never marks their own essay, and the queue lists people in Vietnamese name order."""
from fractions import Fraction

import pytest

from exam import marking, services
from exam.models import BlueprintRule
from extensions import db
from tests import factories as f
from tests.exam.conftest import login

NAMES = ["Phạm Minh Đức", "Đỗ Văn Dũng", "Lê Bảo", "Trần Thị Ánh", "Nguyễn Văn An"]
BY_HAND = ["Nguyễn Văn An", "Trần Thị Ánh", "Lê Bảo", "Đỗ Văn Dũng", "Phạm Minh Đức"]

pytestmark = pytest.mark.usefixtures("english")   # messages compared in English


def _sit(world, people, anonymous=False):
    """Every one of ``people`` sits the exam (with one essay) and submits; their essay slots."""
    exam = world.exam
    exam.rules.append(BlueprintRule(position=1, category=world.essays, count=1, mark=Fraction(4), qtype="essay"))
    exam.anonymous_marking = anonymous
    db.session.flush()
    essays = {}
    for person in people:
        attempt = services.start_attempt(exam, person)
        essay = next(s for s in attempt.slots if s.version.qtype == "essay")
        services.save_answer(attempt, attempt.session_token, essay.position, 1, {"text": f"Bài của {person.username}"})
        services.finish_attempt(attempt)
        essays[person.id] = essay
    db.session.commit()
    return essays


def test_a_marker_who_sat_the_exam_never_gets_their_own_essay(world, app):
    essays = _sit(world, [world.alice, world.m1])
    own, alices = essays[world.m1.id], essays[world.alice.id]
    assert marking.marking_queue(world.m1) == [alices]
    assert set(marking.marking_queue(world.m2)) == {own, alices}
    with pytest.raises(marking.OwnAnswer):
        marking.mark_slot(own, world.m1, Fraction(4))
    assert own.marks == [] and own.grade_state == "needs_grading"

    m1 = login(app, world.m1)
    with m1.session_transaction() as s:
        s["lang"] = "en"
    for response in (m1.get(f"/exam/marking/{own.id}"), m1.post(f"/exam/marking/{own.id}", data={"points": "4"})):
        assert response.status_code == 302 and response.headers["Location"].endswith("/exam/marking")
    page = m1.get("/exam/marking").get_data(as_text=True)
    assert "You cannot mark your own answer: another marker will." in page
    db.session.refresh(own)
    assert own.marks == []
    # Another marker marks it.
    assert marking.mark_slot(own, world.m2, Fraction(3)) is True


def _named(world):
    people = []
    for i, name in enumerate(NAMES):
        person = f.user(f"nguoi{i}", world.dept)
        person.full_name = name
        people.append(person)
    return people


def test_the_queue_lists_people_by_given_name_in_vietnamese_order(world):
    people = _named(world)
    _sit(world, people)
    queue = marking.marking_queue(world.m1)
    assert [s.attempt.user.full_name for s in queue] == BY_HAND


def test_an_anonymous_queue_is_ordered_by_candidate_code_not_by_name(world):
    people = _named(world)
    _sit(world, people, anonymous=True)
    codes = [marking.candidate_code(s.attempt) for s in marking.marking_queue(world.m1)]
    assert codes == sorted(codes) and len(codes) == 5


def test_the_exam_admin_list_of_attempts_is_in_vietnamese_name_order(world):
    from exam.queries import attempts_of

    _sit(world, _named(world))
    assert [a.user.full_name for a in attempts_of(world.exam)] == BY_HAND
