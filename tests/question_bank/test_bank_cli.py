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
