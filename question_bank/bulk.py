"""Bulk writes for imports: questions, first versions, tags and images inserted with a few
statements per batch instead of one ORM object at a time (a 10,000-question file in about
a second of writing; bench/bank.py).  Same rows as ``services.add_question`` writes.

* PostgreSQL: the ids are drawn from the tables' sequences first (one query each), then the
  questions — already pointing at their first version —, the versions and the tags go in
  with ONE statement, a writable CTE per table, each ``INSERT … SELECT … FROM
  json_populate_recordset(NULL::table, :rows)``: a table's rows travel as one JSON text, so
  the statement is short and the same for every batch (psycopg parses and prepares it
  once; SQLAlchemy's multi-row VALUES had ~10,000 placeholders that psycopg re-parsed on
  every batch) and no row is updated afterwards.  The two foreign keys between
  ``question`` and ``question_version`` point both ways; PostgreSQL checks a non-deferrable
  foreign key at the end of the statement, by which time both rows are there (a wrong
  reference is still refused).
* SQLite (and any other database): multi-row executemany, then one UPDATE pointing each
  question at its version.
"""
import json
import mimetypes
from datetime import date, datetime

from sqlalchemy import JSON, DateTime, TypeDecorator, func, insert, select, text, update

from db_types import utcnow
from extensions import db
from question_bank import content as qc
from question_bank.models import Question, QuestionFile, QuestionTag, QuestionVersion


def _version_row(parsed, tags, user_id, source_file, now) -> dict:
    level, value = qc.difficulty_of(parsed.difficulty)
    document, article = qc.split_legal(parsed.legal_reference)
    return {"version": 1, "qtype": parsed.qtype, "name": (parsed.name or "")[:255],
            "text": parsed.text, "default_mark": parsed.default_mark, "penalty": parsed.penalty,
            "general_feedback": parsed.general_feedback, "payload": parsed.payload,
            "tags": list(tags.values()), "idnumber": parsed.idnumber, "difficulty": level,
            "difficulty_value": value, "legal_reference": document, "legal_article": article,
            "source_file": source_file, "source_line": parsed.line, "created_by_id": user_id, "created_at": now,
            "approved_by_id": None, "approved_at": None}


def _tag_keys(tags, cache: dict) -> dict[str, str]:
    """``content.tag_keys`` once per distinct tag list of the batch (files repeat a few tags)."""
    tags = tuple(tags or ())
    found = cache.get(tags)
    if found is None:
        found = cache[tags] = qc.tag_keys(tags)
    return found


def insert_questions(bank, batch, categories, *, status, user=None, source_file=None, prints=None) -> list[int]:
    """Insert ``batch`` (ParsedQuestion, with their Category objects in ``categories``)
    as questions of ``bank`` with one version each; returns the question ids in order.
    ``prints``: their ``content.fingerprint`` (search text, duplicate key) when known."""
    user_id, now = getattr(user, "id", None), utcnow()
    source_file = (source_file or None) and source_file[:255]
    cache: dict = {}
    tag_maps = [_tag_keys(p.tags, cache) for p in batch]
    rows, versions = [], [_version_row(p, tags, user_id, source_file, now) for p, tags in zip(batch, tag_maps)]
    for i, (parsed, category) in enumerate(zip(batch, categories)):
        search, key = prints[i] if prints else qc.fingerprint(versions[i]["name"], parsed.qtype, parsed.text,
                                                              parsed.payload)
        rows.append({"bank_id": bank.id, "category_id": category.id, "status": status, "created_by_id": user_id,
                     "created_at": now, "search_text": search, "dedup_key": key, "qtype": parsed.qtype,
                     "difficulty": versions[i]["difficulty"]})
    if db.session.get_bind().dialect.name == "postgresql":
        question_ids, version_ids = _insert_postgresql(rows, versions, tag_maps)
    else:
        question_ids, version_ids = _insert_rows(rows, versions, tag_maps)
    files = [{"version_id": vid, "name": name, "data": data,
              "mime": mimetypes.guess_type(name)[0] or "application/octet-stream"}
             for p, vid in zip(batch, version_ids) for name, data in (p.files or {}).items()]
    if files:
        db.session.execute(insert(QuestionFile), files)
    return question_ids


def _tag_rows(question_ids, tag_maps) -> list[dict]:
    return [{"question_id": qid, "key": key, "tag": tag}
            for qid, tags in zip(question_ids, tag_maps) for key, tag in tags.items()]


# --- PostgreSQL -------------------------------------------------------------------------------

def _next_ids(table, n: int) -> list[int]:
    """``n`` fresh ids from the sequence behind ``table.id`` (in the order drawn)."""
    return list(db.session.scalars(text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                                        "FROM generate_series(1, :n)"), {"table": table.name, "n": n}))


def _insert_from_json(table, columns, param: str, dialect) -> str:
    """``INSERT INTO table (columns) SELECT columns FROM json_populate_recordset(NULL::table,
    :param)``: the rows travel as one JSON document, typed by the table's own row type."""
    prep = dialect.identifier_preparer
    names = ", ".join(prep.quote(name) for name in columns)
    return (f"INSERT INTO {prep.format_table(table)} ({names}) "
            f"SELECT {names} FROM json_populate_recordset(NULL::{prep.format_table(table)}, CAST(:{param} AS json))")


def _records(table, rows: list[dict], dialect) -> list[dict]:
    """``rows`` with each value as SQLAlchemy would bind it for its column (enums as their
    stored text, aware datetimes as naive UTC), ready for ``json.dumps``: timestamps in
    ISO 8601; JSON columns stay nested (stored as their ``json.dumps`` text)."""
    processors = {}
    for name in rows[0]:
        column_type = table.c[name].type
        process = None if isinstance(column_type, JSON) else column_type.bind_processor(dialect)
        if process is not None or isinstance(column_type, DateTime) or (
                isinstance(column_type, TypeDecorator) and isinstance(column_type.impl_instance, DateTime)):
            processors[name] = process
    if not processors:
        return rows
    out = []
    for row in rows:
        row = dict(row)
        for name, process in processors.items():
            value = row[name] if process is None else process(row[name])
            row[name] = value.isoformat() if isinstance(value, (datetime, date)) else value
        out.append(row)
    return out


def _fill_defaults(table, rows: list[dict]) -> None:
    """Give every row each column it lacks that has a Python-side default (an ORM or Core
    insert would apply it; a plain INSERT … SELECT does not) — a column added to the
    models later is then written as the ORM writes it, not as NULL."""
    for column in table.columns:
        if column.name in rows[0] or column.default is None or column.primary_key:
            continue
        default = column.default
        for row in rows:
            row[column.name] = default.arg(None) if default.is_callable else default.arg


def _insert_postgresql(rows, versions, tag_maps) -> tuple[list[int], list[int]]:
    dialect = db.session.get_bind().dialect
    question_ids = _next_ids(Question.__table__, len(rows))
    version_ids = _next_ids(QuestionVersion.__table__, len(rows))
    for row, version, qid, vid in zip(rows, versions, question_ids, version_ids):
        row["id"], row["current_version_id"] = qid, vid
        version["id"], version["question_id"] = vid, qid
    tags = _tag_rows(question_ids, tag_maps)
    for table, table_rows in ((Question.__table__, rows), (QuestionVersion.__table__, versions)):
        _fill_defaults(table, table_rows)
    parts = [("q_", Question.__table__, rows), ("v_", QuestionVersion.__table__, versions)]
    if tags:
        parts.append(("t_", QuestionTag.__table__, tags))
    ctes, params = [], {}
    for prefix, table, table_rows in parts:
        ctes.append(f"{prefix}rows AS ({_insert_from_json(table, list(table_rows[0]), prefix + 'rows', dialect)})")
        params[prefix + "rows"] = json.dumps(_records(table, table_rows, dialect))
    db.session.execute(text(f"WITH {', '.join(ctes)} SELECT 1"), params)
    return question_ids, version_ids


# --- SQLite and others ------------------------------------------------------------------------

def _insert(model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` and return their ids in order.  SQLAlchemy cannot batch a RETURNING
    whose order must match the rows on SQLite (one statement per row, a third of the write
    time), so one executemany, after which the rows hold the ids up to the table's largest:
    SQLite gives each new row the largest rowid + 1 and, holding the write lock, no other
    writer can come between."""
    if db.session.get_bind().dialect.name != "sqlite":
        return list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))
    db.session.execute(model.__table__.insert(), rows)      # Core: no per-row ORM bookkeeping
    last = db.session.scalar(select(func.max(model.id)))
    return list(range(last - len(rows) + 1, last + 1))


def _insert_rows(rows, versions, tag_maps) -> tuple[list[int], list[int]]:
    question_ids = _insert(Question, rows)
    for row, qid in zip(versions, question_ids):
        row["question_id"] = qid
    version_ids = _insert(QuestionVersion, versions)
    first = (select(QuestionVersion.id).where(QuestionVersion.question_id == Question.id, QuestionVersion.version == 1)
             .scalar_subquery())
    db.session.execute(update(Question).where(Question.id.in_(question_ids)).values(current_version_id=first)
                       .execution_options(synchronize_session=False))
    tags = _tag_rows(question_ids, tag_maps)
    if tags:
        db.session.execute(QuestionTag.__table__.insert(), tags)
    return question_ids, version_ids
