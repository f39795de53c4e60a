"""Blueprint matrix (category × difficulty × type), feasibility for every candidate,
"avoid questions seen in the last N years", and papers generated before the window."""
from fractions import Fraction

import pytest
from sqlalchemy import select

from exam import papers, services
from exam.models import Attempt, BlueprintRule, Exam, Paper
from extensions import db
from tests import factories as f
from tests.exam.conftest import versions_by_difficulty


def _rules(exam, *cells):
    exam.rules.clear()
    for i, (cat, count, mark, difficulty, qtype) in enumerate(cells):
        exam.rules.append(BlueprintRule(position=i, category=cat, count=count, mark=Fraction(mark),
                                        difficulty=difficulty, qtype=qtype))
    db.session.flush()


def test_cells_draw_by_difficulty_and_type(world):
    _rules(world.exam, (world.cat, 3, 2, "hard", None), (world.cat, 2, 1, "easy", "multichoice"))
    slots = services.start_attempt(world.exam, world.alice).slots
    by = versions_by_difficulty(world.bank)
    hard = [s for s in slots if s.version_id in by["hard"]]
    easy = [s for s in slots if s.version_id in by["easy"]]
    assert (len(hard), len(easy)) == (3, 2)
    assert {s.mark for s in hard} == {2} and {s.mark for s in easy} == {1}
    assert world.exam.max_score == 8


def test_each_cell_is_checked_and_overlapping_cells_are_checked_together(world):
    _rules(world.exam, (world.cat, 5, 1, "hard", None))               # only 4 hard questions
    assert [(p.label, p.asked, p.available) for p in services.check_feasible(world.exam)] == [("Chung · hard", 5, 4)]
    # 4 hard + any 7 of "Chung" (10 questions): each cell alone is fine, together 11 > 10.
    _rules(world.exam, (world.cat, 4, 1, "hard", None), (world.cat, 7, 1, None, None))
    problems = services.check_feasible(world.exam)
    assert [(p.label, p.asked, p.available) for p in problems] == [("Chung · hard + Chung", 11, 10)]
    with pytest.raises(services.ExamError):
        services.open_exam(world.exam, world.admin)
    _rules(world.exam, (world.cat, 4, 1, "hard", None), (world.cat, 6, 1, None, None))
    assert services.check_feasible(world.exam) == []
    slots = papers.draw(world.exam, 7)                                   # smallest pool drawn first
    assert len({s.version.id for s in slots}) == 10


def test_essays_drawn_by_type(world):
    _rules(world.exam, (world.essays, 2, 5, None, "essay"), (world.essays, 1, 1, None, "multichoice"))
    assert [(p.label, p.available) for p in services.check_feasible(world.exam)] == [
        ("Tự luận · multichoice", 0)]


def _past_exam(world, year, seen_by, n):
    """An official exam of ``year`` that asked ``seen_by`` n easy questions."""
    past = f.exam(world.bank, world.dept, [], code=f"PAST{year}")
    past.year = year
    past.rules.append(BlueprintRule(position=0, category=world.cat, count=n, mark=Fraction(1), difficulty="easy"))
    db.session.flush()
    return services.start_attempt(past, seen_by)


def test_avoid_questions_seen_in_the_last_years(world):
    world.exam.avoid_seen_years = 2
    _rules(world.exam, (world.cat, 3, 1, "easy", None))
    seen = _past_exam(world, 2025, world.alice, 4)                      # alice saw 4 of the 6 easy ones
    seen_ids = {s.version.question_id for s in seen.slots}
    problems = services.check_feasible(world.exam)
    assert [(p.label, p.asked, p.available, p.people) for p in problems] == [("Chung · easy", 3, 2, 1)]
    _rules(world.exam, (world.cat, 2, 1, "easy", None))
    assert services.check_feasible(world.exam) == []
    attempt = services.start_attempt(world.exam, world.alice)
    assert not {s.version.question_id for s in attempt.slots} & seen_ids   # the two she never saw
    world.exam.avoid_seen_years = 0
    assert services.check_feasible(world.exam) == []


def test_questions_seen_longer_ago_may_come_back(world):
    world.exam.avoid_seen_years = 1
    _rules(world.exam, (world.cat, 6, 1, "easy", None))
    _past_exam(world, 2024, world.alice, 6)                              # two years before 2026
    assert services.check_feasible(world.exam) == []


def test_generated_papers_make_start_a_read(world, runner):
    result = runner.invoke(args=["exam", "generate-papers", "E1"])
    assert result.exit_code == 0, result.output
    # the audience is dept D: alice, bob, admin, marker1, marker2
    assert "generated 5 paper(s)" in result.output
    paper = db.session.scalars(select(Paper).where(Paper.user_id == world.alice.id)).one()
    assert len(paper.layout) == 5
    # a second run adds nobody
    assert "generated 0 paper(s)" in runner.invoke(args=["exam", "generate-papers", "E1"]).output
    exam = db.session.get(Exam, world.exam.id)
    attempt = services.start_attempt(exam, world.alice)
    assert [[s.version_id, str(s.mark), s.choice_order] for s in attempt.slots] == paper.layout
    assert attempt.seed == paper.seed
    assert runner.invoke(args=["exam", "generate-papers", "NOPE"]).exit_code != 0


def test_papers_button_and_feasibility_on_the_admin_page(world, app):
    from tests.exam.conftest import login

    admin = login(app, world.admin)
    page = admin.get(f"/exam/admin/{world.exam.id}").get_data(as_text=True)
    assert "Generate the papers (0 so far)" in page or "(0" in page
    assert admin.post(f"/exam/admin/{world.exam.id}/papers").status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(Paper)) == 5
    assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 0
