"""Bulk writes for imports: questions, first versions, tags and images inserted with a few
multi-row statements per batch instead of one ORM object at a time (a 10,000-question file
in a couple of seconds; bench/bank.py).  Same rows as ``services.add_question`` writes."""
import mimetypes

from sqlalchemy import func, insert, select, update

from db_types import utcnow
from extensions import db
from question_bank import content as qc
from question_bank.models import Question, QuestionFile, QuestionTag, QuestionVersion


def _version_row(parsed, user_id, source_file, now) -> dict:
    level, value = qc.difficulty_of(parsed.difficulty)
    document, article = qc.split_legal(parsed.legal_reference)
    return {"version": 1, "qtype": parsed.qtype, "name": (parsed.name or "")[:255],
            "text": parsed.text, "default_mark": parsed.default_mark, "penalty": parsed.penalty,
            "general_feedback": parsed.general_feedback, "payload": parsed.payload,
            "tags": qc.clean_tags(parsed.tags), "idnumber": parsed.idnumber, "difficulty": level,
            "difficulty_value": value, "legal_reference": document, "legal_article": article,
            "source_file": source_file, "source_line": parsed.line, "created_by_id": user_id, "created_at": now}


def _insert(model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` and return their ids in order.  PostgreSQL: INSERT … RETURNING in
    batches.  SQLite: SQLAlchemy cannot batch a RETURNING whose order must match the rows
    (one statement per row, a third of the write time), so one executemany, after which
    the rows hold the ids up to the table's largest: SQLite gives each new row the largest
    rowid + 1 and, holding the write lock, no other writer can come between."""
    if db.session.get_bind().dialect.name != "sqlite":
        return list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))
    db.session.execute(model.__table__.insert(), rows)      # Core: no per-row ORM bookkeeping
    last = db.session.scalar(select(func.max(model.id)))
    return list(range(last - len(rows) + 1, last + 1))


def insert_questions(bank, batch, categories, *, status, user=None, source_file=None, prints=None) -> list[int]:
    """Insert ``batch`` (ParsedQuestion, with their Category objects in ``categories``)
    as questions of ``bank`` with one version each; returns the question ids in order.
    ``prints``: their ``content.fingerprint`` (search text, duplicate key) when known."""
    user_id, now = getattr(user, "id", None), utcnow()
    source_file = (source_file or None) and source_file[:255]
    rows, versions = [], [_version_row(p, user_id, source_file, now) for p in batch]
    for i, (parsed, category) in enumerate(zip(batch, categories)):
        search, key = prints[i] if prints else qc.fingerprint(parsed.name, parsed.qtype, parsed.text, parsed.payload)
        rows.append({"bank_id": bank.id, "category_id": category.id, "status": status, "created_by_id": user_id,
                     "created_at": now, "search_text": search, "dedup_key": key, "qtype": parsed.qtype,
                     "difficulty": versions[i]["difficulty"]})
    question_ids = _insert(Question, rows)
    for row, qid in zip(versions, question_ids):
        row["question_id"] = qid
    version_ids = _insert(QuestionVersion, versions)
    first = (select(QuestionVersion.id).where(QuestionVersion.question_id == Question.id, QuestionVersion.version == 1)
             .scalar_subquery())
    db.session.execute(update(Question).where(Question.id.in_(question_ids)).values(current_version_id=first)
                       .execution_options(synchronize_session=False))
    tags = [{"question_id": qid, "key": key, "tag": tag}
            for p, qid in zip(batch, question_ids) for key, tag in qc.tag_keys(p.tags).items()]
    if tags:
        db.session.execute(QuestionTag.__table__.insert(), tags)
    files = [{"version_id": vid, "name": name, "data": data,
              "mime": mimetypes.guess_type(name)[0] or "application/octet-stream"}
             for p, vid in zip(batch, version_ids) for name, data in (p.files or {}).items()]
    if files:
        db.session.execute(insert(QuestionFile), files)
    return question_ids
