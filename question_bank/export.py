"""A bank's current versions back into the import formats (round trips, DESIGN.md)."""
from sqlalchemy import select

from extensions import db
from question_bank.formats import export_gift, export_moodle_xml, export_xlsx
from question_bank.content import difficulty_text
from question_bank.formats.model import ParsedQuestion
from question_bank.models import Category, Question, QuestionFile, QuestionVersion


def parsed_questions(bank) -> list[ParsedQuestion]:
    """The bank's questions (current versions, retired ones left out) as format-neutral records."""
    current = (Question.bank_id == bank.id, Question.status != "retired")
    rows = db.session.execute(
        select(Question, QuestionVersion).join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(*current).order_by(Question.id)).all()
    paths = dict(db.session.execute(select(Category.id, Category.path).where(Category.bank_id == bank.id)).all())
    files = {}
    for f in db.session.scalars(select(QuestionFile).join(Question, Question.current_version_id == QuestionFile.version_id)
                                .where(*current)):
        files.setdefault(f.version_id, {})[f.name] = f.data
    return [ParsedQuestion(qtype=v.qtype, name=v.name, text=v.text, category=tuple(paths[q.category_id].split(" / ")),
                           default_mark=v.default_mark, general_feedback=v.general_feedback, penalty=v.penalty,
                           payload=v.payload, tags=tuple(v.tags or ()), idnumber=v.idnumber,
                           difficulty=difficulty_text(v.difficulty, v.difficulty_value),
                           legal_reference=v.legal_citation or None, files=files.get(v.id, {}))
            for q, v in rows]


def export_bank(bank, fmt: str) -> bytes:
    """The bank as ``gift`` (UTF-8 text), ``moodle_xml`` or ``xlsx`` bytes."""
    questions = parsed_questions(bank)
    if fmt == "gift":
        return export_gift(questions).encode("utf-8")
    if fmt == "moodle_xml":
        return export_moodle_xml(questions)
    if fmt == "xlsx":
        return export_xlsx(questions)
    raise ValueError(f"unknown export format {fmt!r}")
