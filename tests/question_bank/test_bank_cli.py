"""`flask questions import|export` on the real corpus, through the CLI."""
import json

from sqlalchemy import func, select

from conftest import shared_path
from extensions import db
from question_bank.models import Question, QuestionBank
from tests import factories as f


def _bank():
    root = f.agency("P", kind="province")
    bank = QuestionBank(code="B", name="B", agency=root)
    db.session.add(bank)
    db.session.commit()
    return bank


def _count(bank):
    return db.session.scalar(select(func.count()).select_from(Question).where(Question.bank_id == bank.id))


def test_import_json_reports_and_writes(app, runner):
    bank = _bank()
    path = shared_path("corpus", "public", "gift", "qas-editor_all.gift")
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "B", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.splitlines()[0])
    assert (report["imported"], report["written"], report["errors"]) == (22, True, [])
    assert report["by_type"] == {"description": 1, "essay": 2, "truefalse": 4, "numerical": 4,
                                 "multichoice": 5, "matching": 2, "shortanswer": 4}
    assert _count(bank) == 22


def test_bad_file_writes_nothing_and_exits_1(app, runner):
    bank = _bank()
    path = shared_path("corpus", "public", "moodle-xml", "moodle_error_invalid_grades.xml")
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "B"])
    assert result.exit_code == 1
    assert "moodle_error_invalid_grades.xml:38" in result.output
    assert _count(bank) == 0


def test_skip_invalid_imports_the_rest_and_lists_skipped(app, runner):
    bank = _bank()
    path = shared_path("corpus", "public", "aiken", "moodle_aiken_errors.txt")
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "B", "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert _count(bank) == 2
    assert result.output.count("skipped") == 3


def test_export_round_trip_gift(app, runner, tmp_path):
    bank = _bank()
    path = shared_path("corpus", "public", "csv", "luat-dau-thau_50-cau-bo-sung.xlsx")
    assert runner.invoke(args=["questions", "import", str(path), "--bank", "B"]).exit_code == 0
    out = tmp_path / "out.gift"
    assert runner.invoke(args=["questions", "export", "--bank", "B", "--format", "gift", "--out", str(out)]).exit_code == 0
    from question_bank.formats import parse
    again = parse(out.read_bytes(), out.name)
    assert (len(again.questions), again.errors) == (50, [])


def test_skip_duplicates_flag_and_json_report(app, runner):
    bank = _bank()
    path = shared_path("corpus", "public", "gift", "qas-editor_all.gift")
    first = json.loads(runner.invoke(args=["questions", "import", str(path), "--bank", "B", "--json"]).output)
    # The file itself asks two questions twice in two GIFT spellings (lines 14 and 48).
    assert (first["imported"], [d["line"] for d in first["duplicates"]]) == (22, [14, 48])
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "B", "--json", "--skip-duplicates"])
    assert result.exit_code == 0, result.output
    again = json.loads(result.output.splitlines()[0])
    assert (again["imported"], again["written"], again["duplicates_skipped"]) == (0, False, True)
    assert len(again["duplicates"]) == 22 and all(d["duplicate_of"] for d in again["duplicates"])
    assert _count(bank) == 22
    text = runner.invoke(args=["questions", "import", str(path), "--bank", "B"]).output
    assert text.count(": duplicate: ") == 22 and _count(bank) == 44


def test_author_then_approve_by_another_reviewer(app, runner):
    from question_bank.models import QuestionStatus

    bank = _bank()
    root = bank.agency
    f.user("author", root, roles=[("bank_editor", root), ("reviewer", root)])
    f.user("second", root, roles=[("reviewer", root)])
    f.user("plain", root)
    db.session.commit()
    path = shared_path("corpus", "public", "aiken", "moodle_questions.aiken.txt")
    assert runner.invoke(args=["questions", "import", str(path), "--bank", "B", "--author", "author"]).exit_code == 0
    assert set(db.session.scalars(select(Question.status))) == {QuestionStatus.DRAFT}
    assert "0 approved, 2 left" in runner.invoke(args=["questions", "approve", "--bank", "B",
                                                       "--reviewer", "author"]).output
    refused = runner.invoke(args=["questions", "approve", "--bank", "B", "--reviewer", "plain"])
    assert refused.exit_code == 2 and "holds no reviewer role" in refused.output
    assert "2 approved, 0 left" in runner.invoke(args=["questions", "approve", "--bank", "B",
                                                       "--reviewer", "second"]).output
    db.session.expire_all()
    assert set(db.session.scalars(select(Question.status))) == {QuestionStatus.APPROVED}
    assert runner.invoke(args=["questions", "import", str(path), "--bank", "B", "--author", "nobody"]).exit_code == 2


def test_reindex_recomputes_the_copies(app, runner):
    from question_bank.models import QuestionTag

    from demo.loader import BANK_FILE

    bank = _bank()
    assert runner.invoke(args=["questions", "import", str(BANK_FILE), "--bank", "B"]).exit_code == 0
    expected = db.session.execute(select(Question.id, Question.search_text, Question.dedup_key, Question.qtype)
                                  .order_by(Question.id)).all()
    tags = db.session.scalar(select(func.count()).select_from(QuestionTag))
    assert tags > 92                                   # every demo question has two tags or more
    db.session.execute(Question.__table__.update().values(search_text="", dedup_key="", qtype=""))
    db.session.execute(QuestionTag.__table__.delete())
    db.session.commit()
    assert runner.invoke(args=["questions", "reindex", "--bank", "B"]).output == "92 questions reindexed\n"
    db.session.expire_all()
    assert db.session.execute(select(Question.id, Question.search_text, Question.dedup_key, Question.qtype)
                              .order_by(Question.id)).all() == expected
    assert db.session.scalar(select(func.count()).select_from(QuestionTag)) == tags
    assert _count(bank) == 92
