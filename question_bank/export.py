"""A bank's current versions back into the import formats (round trips, DESIGN.md)."""
from sqlalchemy import select

from extensions import db
from question_bank.formats import export_gift, export_moodle_xml, export_xlsx
from question_bank.formats.model import ParsedQuestion
from question_bank.models import Question, QuestionFile, QuestionVersion


def parsed_questions(bank) -> list[ParsedQuestion]:
    """The bank's questions (current versions, retired ones left out) as format-neutral records."""
    rows = db.session.execute(
        select(Question, QuestionVersion).join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(Question.bank_id == bank.id, Question.status != "retired").order_by(Question.id)).all()
    files = {}
    for f in db.session.scalars(select(QuestionFile).where(QuestionFile.version_id.in_([v.id for _q, v in rows]))):
        files.setdefault(f.version_id, {})[f.name] = f.data
    return [ParsedQuestion(qtype=v.qtype, name=v.name, text=v.text, category=tuple(q.category.path.split(" / ")),
                           default_mark=v.default_mark, general_feedback=v.general_feedback, penalty=v.penalty,
                           payload=v.payload, tags=tuple(v.tags or ()), idnumber=v.idnumber,
                           difficulty=v.difficulty, legal_reference=v.legal_reference, files=files.get(v.id, {}))
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
