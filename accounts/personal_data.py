"""What the platform holds about one person (Decree 13/2023/NĐ-CP: the data subject's right
to see and obtain their personal data).

Found by reading the schema, so a table another feature adds later is covered without a
change here: rows whose *subject* column (``user_id``, ``assignee_id`` …) names the person,
then the rows that hang below those (an attempt's slots, a task's reports, a report's
evidence and verification), then the audit records about any of them.  Columns pointing at
the person as an *actor* (``verifier_id``, ``created_by_id`` …) are counted, not copied: those
rows are mostly about other people.  Secrets (password and code hashes, TOTP secret, session
tokens) are never shown.
"""
from __future__ import annotations

import base64
import enum
import json
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from io import BytesIO

from sqlalchemy import func, or_, select

from accounts.models import AuditLog, User
from extensions import db

SUBJECT_COLUMNS = {"user_id", "assignee_id", "person_id", "subject_id"}
SECRET_MARKERS = ("password", "secret", "token", "hash")
DEPTH = 3


def _secret(column_name: str) -> bool:
    return any(marker in column_name for marker in SECRET_MARKERS)


def jsonable(value):
    """A stored value as JSON: exact numbers as text, times in ISO 8601, enums by value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (Fraction, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"bytes": len(value), "base64": base64.b64encode(value).decode()} if len(value) <= 4096 \
            else {"bytes": len(value)}
    return value


def _row(table, mapping) -> dict:
    return {c.name: jsonable(mapping[c.name]) for c in table.columns if not _secret(c.name)}


def _fks_to(table, target):
    return [fk for fk in table.foreign_keys if fk.column.table is target]


def collect(user: User) -> dict:
    """``{"person": {...}, "tables": {name: [rows]}, "actions": {"table.column": n}, "audit": [...]}``."""
    tables = db.metadata.tables
    user_table = tables["user"]
    person = _row(user_table, db.session.execute(select(user_table).where(user_table.c.id == user.id))
                  .mappings().one())
    found: dict[str, dict] = {}  # table name → {primary key: row}
    actions: dict[str, int] = {}
    for table in tables.values():
        if table is user_table or table.name == "audit_log":
            continue
        for fk in _fks_to(table, user_table):
            column = fk.parent
            if column.name in SUBJECT_COLUMNS:
                _add(found, table, select(table).where(column == user.id))
            else:
                n = db.session.scalar(select(func.count()).select_from(table).where(column == user.id))
                if n:
                    actions[f"{table.name}.{column.name}"] = n
    for _ in range(DEPTH):
        grew = False
        for table in tables.values():
            if table is user_table or table.name == "audit_log":
                continue
            for parent_name, rows in list(found.items()):
                for fk in _fks_to(table, tables[parent_name]):
                    ids = [pk for pk in rows if pk is not None]
                    if ids:
                        grew |= _add(found, table, select(table).where(fk.parent.in_(ids)))
        if not grew:
            break
    return {"person": person, "tables": {name: list(rows.values()) for name, rows in sorted(found.items())},
            "actions": dict(sorted(actions.items())), "audit": _audit(user, found)}


def _add(found: dict, table, stmt) -> bool:
    pk = list(table.primary_key.columns)
    bucket = found.setdefault(table.name, {})
    before = len(bucket)
    for mapping in db.session.execute(stmt).mappings():
        key = mapping[pk[0].name] if len(pk) == 1 else tuple(mapping[c.name] for c in pk)
        bucket.setdefault(key, _row(table, mapping))
    if not bucket:
        found.pop(table.name)
    return len(bucket) > before


def _model_names() -> dict[str, str]:
    """Table name → model class name (what ``AuditLog.object_type`` holds)."""
    return {m.local_table.name: m.class_.__name__ for m in db.Model.registry.mappers
            if getattr(m, "local_table", None) is not None}


def _audit(user: User, found: dict) -> list[dict]:
    """Audit records about the person or any row found for them, oldest first."""
    names = _model_names()
    wanted = [(AuditLog.object_type == "User") & (AuditLog.object_id == str(user.id))]
    for table_name, rows in found.items():
        if table_name in names:
            ids = [str(pk) for pk in rows]
            wanted.append((AuditLog.object_type == names[table_name]) & AuditLog.object_id.in_(ids))
    rows = db.session.scalars(select(AuditLog).where(or_(*wanted)).order_by(AuditLog.id))
    return [{"id": r.id, "at": r.at.isoformat(), "actor_id": r.actor_id, "action": r.action,
             "object": f"{r.object_type} {r.object_id}", "before": r.before, "after": r.after,
             "reason": r.reason} for r in rows]


def as_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def as_xlsx(data: dict) -> bytes:
    """One sheet per table; every value a text or number cell, never a formula (DECISIONS 22)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from spreadsheet import write_cell

    wb = Workbook()
    sheets = [("person", [data["person"]])] + list(data["tables"].items())
    sheets += [("actions", [{"column": k, "rows": v} for k, v in data["actions"].items()]),
               ("audit", data["audit"])]
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name[:31])
        columns = list(rows[0]) if rows else []
        for c, column in enumerate(columns, start=1):
            write_cell(ws, 1, c, column).font = Font(bold=True)
        for r, row in enumerate(rows, start=2):
            for c, column in enumerate(columns, start=1):
                value = row.get(column)
                if isinstance(value, (dict, list)):
                    value = json.dumps(value, ensure_ascii=False)
                write_cell(ws, r, c, value)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
