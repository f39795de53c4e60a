"""``flask backup create --out FILE`` and ``flask backup restore FILE``.

A backup is one ``.tar.gz``:

* ``manifest.json`` — format and version, when, from which database kind, per table the
  columns, the row count and the SHA-256 of its rows file, per stored file its size and
  SHA-256, and the audit chain's length and head;
* ``db/<table>.jsonl`` — every row of every table as one JSON object a line, values in
  portable form (exact numbers as text, times in ISO 8601 with their offset, bytes in
  base64, enums by name), so a backup of SQLite restores onto PostgreSQL and back;
* ``files/…`` — everything under ``STORAGE_DIR`` (evidence files).

The rows are read in one transaction (REPEATABLE READ on PostgreSQL, a read transaction
on SQLite), so they are consistent with each other.  Restoring checks every SHA-256 and
every name before anything is written, refuses a database that already holds rows unless
``--force``, inserts in foreign-key order (self-references and cycles are filled in
afterwards), moves PostgreSQL's id sequences past the restored ids, then verifies the audit
chain and signs a new checkpoint for the restored database.
"""
from __future__ import annotations

import base64
import enum
import hashlib
import io
import json
import posixpath
import shutil
import sys
import tarfile
import tempfile
from datetime import date, datetime, time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import Date, DateTime, Enum, LargeBinary, Numeric, Time, delete, func, insert, select, text, update

from extensions import db

FORMAT, VERSION = "sathach-backup", 1
BATCH = 1000


class BackupError(Exception):
    """The archive is refused; the message says why.  Nothing was written."""


# ---- values ----------------------------------------------------------------------------------

def _dump(value):
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (Fraction, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    return value


def _impl(column):
    return getattr(column.type, "impl", column.type)


def _load(column, value):
    if value is None:
        return None
    kind = _impl(column)
    if isinstance(column.type, Enum) and column.type.enum_class is not None:
        return column.type.enum_class[value]
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Time):
        return time.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, Numeric) and kind.asdecimal:
        return Decimal(value)
    return value


# ---- create ----------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_tables(folder: Path) -> tuple[dict, tuple]:
    """Every table into ``folder``, and the audit chain's state, all from one snapshot."""
    from accounts import audit

    tables = {}
    connection = db.engine.connect()
    try:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        elif connection.dialect.name == "sqlite" and not connection.connection.driver_connection.in_transaction:
            connection.exec_driver_sql("BEGIN")  # one read transaction: a consistent view
        chain = audit.chain_head(connection)
        for table in db.metadata.sorted_tables:
            path = folder / f"{table.name}.jsonl"
            count = 0
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
            with open(path, "w", encoding="utf-8") as out:
                for row in rows.mappings():
                    out.write(json.dumps({k: _dump(v) for k, v in row.items()}, ensure_ascii=False,
                                         sort_keys=True) + "\n")
                    count += 1
            tables[table.name] = {"rows": count, "sha256": _sha256(path), "columns": [c.name for c in table.columns]}
        connection.rollback()
    finally:
        connection.close()
    return tables, chain


def create(out: Path) -> dict:
    """Write a backup of the database and the stored files to ``out``; returns the manifest."""
    storage = Path(current_app.config["STORAGE_DIR"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "db"
        folder.mkdir()
        tables, (length, head_id, head_hash) = _read_tables(folder)
        files = {}
        if storage.exists():
            for path in sorted(p for p in storage.rglob("*") if p.is_file()):
                files[path.relative_to(storage).as_posix()] = {"size": path.stat().st_size, "sha256": _sha256(path)}
        manifest = {"format": FORMAT, "version": VERSION, "created_at": datetime.now().astimezone().isoformat(),
                    "database": db.engine.dialect.name, "tables": tables, "files": files,
                    "audit": {"length": length, "head_id": head_id, "head_hash": head_hash}}
        partial = out.with_name(out.name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
            for name in tables:
                archive.add(folder / f"{name}.jsonl", arcname=f"db/{name}.jsonl", recursive=False)
            for rel in files:
                archive.add(storage / rel, arcname=f"files/{rel}", recursive=False)
        partial.replace(out)
    return manifest


# ---- restore ---------------------------------------------------------------------------------

def _safe_member(name: str) -> bool:
    normal = posixpath.normpath(name)
    return (not name.startswith("/") and ".." not in name.split("/") and "\\" not in name
            and normal == name and ":" not in name.split("/")[0])


def _unpack(archive_path: Path, staging: Path) -> dict:
    """Check and unpack into ``staging``; raises :class:`BackupError` before any real write."""
    try:
        archive = tarfile.open(archive_path, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{archive_path} is not a readable .tar.gz ({exc})") from None
    with archive:
        first = archive.next()
        if first is None or first.name != "manifest.json" or not first.isfile():
            raise BackupError("the archive does not start with manifest.json: not a Sát hạch backup")
        try:
            manifest = json.loads(archive.extractfile(first).read())
        except ValueError as exc:
            raise BackupError(f"manifest.json is not JSON ({exc})") from None
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise BackupError(f"unknown backup format {manifest.get('format')!r} version {manifest.get('version')!r}")
        expected = {f"db/{t}.jsonl": v["sha256"] for t, v in manifest["tables"].items()}
        expected.update({f"files/{rel}": v["sha256"] for rel, v in manifest["files"].items()})
        seen = set()
        for member in archive:
            if member.offset == first.offset:
                continue  # the manifest, read above
            if not member.isfile() or not _safe_member(member.name) or member.name not in expected:
                raise BackupError(f"unexpected archive member {member.name!r}: refused")
            target = staging / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with archive.extractfile(member) as source, open(target, "wb") as out:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != expected[member.name]:
                raise BackupError(f"{member.name}: SHA-256 does not match the manifest (damaged or altered)")
            seen.add(member.name)
        missing = sorted(set(expected) - seen)
        if missing:
            raise BackupError(f"members listed in the manifest are missing: {', '.join(missing[:5])}")
    return manifest


def _check_schema(manifest: dict) -> None:
    tables = db.metadata.tables
    problems = []
    for name, info in manifest["tables"].items():
        if name not in tables:
            problems.append(f"table {name} does not exist here")
            continue
        unknown = set(info["columns"]) - {c.name for c in tables[name].columns}
        if unknown:
            problems.append(f"{name}: columns {', '.join(sorted(unknown))} do not exist here")
    if problems:
        raise BackupError("the backup does not fit this database schema (run `flask db upgrade` to the "
                          "version that made it): " + "; ".join(problems))


def row_total() -> int:
    return sum(db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables)


def _deferred(table) -> list:
    """Nullable foreign keys to the same table or through a cycle: filled in after every insert."""
    return [fk.parent for fk in table.foreign_keys
            if fk.parent.nullable and (fk.column.table is table or fk.use_alter or fk.constraint.use_alter)]


def _insert_rows(manifest: dict, folder: Path) -> None:
    later = []  # (table, primary key values, {column: value})
    for table in db.metadata.sorted_tables:
        if table.name not in manifest["tables"]:
            continue
        deferred = {c.name for c in _deferred(table)}
        columns = {c.name: c for c in table.columns}
        batch = []
        with open(folder / f"{table.name}.jsonl", encoding="utf-8") as rows:
            for line in rows:
                raw = json.loads(line)
                row = {k: _load(columns[k], v) for k, v in raw.items()}
                held = {k: row[k] for k in deferred if row.get(k) is not None}
                if held:
                    later.append((table, {c.name: row[c.name] for c in table.primary_key.columns}, held))
                    row.update({k: None for k in held})
                batch.append(row)
                if len(batch) >= BATCH:
                    db.session.execute(insert(table), batch)
                    batch = []
        if batch:
            db.session.execute(insert(table), batch)
    for table, key, values in later:
        db.session.execute(update(table).where(*[table.c[k] == v for k, v in key.items()]).values(**values))


def _reset_sequences() -> None:
    if db.session.get_bind().dialect.name != "postgresql":
        return
    preparer = db.session.get_bind().dialect.identifier_preparer
    for table in db.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and pk[0].type.python_type is int:
            name = preparer.quote(table.name)
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE(MAX({preparer.quote(pk[0].name)}), 1), "
                f"MAX({preparer.quote(pk[0].name)}) IS NOT NULL) FROM {name}"), {"t": name, "c": pk[0].name})


def _clear() -> None:
    for table in reversed(db.metadata.sorted_tables):
        for column in _deferred(table):
            db.session.execute(update(table).values({column.name: None}))
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))


def restore(archive_path: Path, *, force: bool = False) -> dict:
    """Restore a backup made by :func:`create` onto this (empty, migrated) database."""
    from accounts import audit

    storage = Path(current_app.config["STORAGE_DIR"])
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        manifest = _unpack(archive_path, staging)
        _check_schema(manifest)
        existing = row_total()
        if existing and not force:
            raise BackupError(f"the database already holds {existing} rows: restore onto a fresh database "
                              "(`flask db upgrade` on an empty one), or pass --force to replace everything")
        try:
            if existing:
                _clear()
            _insert_rows(manifest, staging / "db")
            _reset_sequences()
            db.session.flush()
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
        for rel in manifest["files"]:
            target = storage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staging / "files" / rel, target)
    result = audit.verify_chain()
    if not result:
        audit.checkpoint_now(force=True)
    manifest["audit_broken"] = result
    return manifest


# ---- CLI -------------------------------------------------------------------------------------

backup_cli = AppGroup("backup", help="Back up and restore the database and the stored files.")


@backup_cli.command("create")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def create_command(out):
    """Write the database rows and the stored files to OUT (.tar.gz)."""
    manifest = create(out)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"{out}: {rows} rows in {len(manifest['tables'])} tables, {len(manifest['files'])} files, "
               f"audit chain of {manifest['audit']['length']} records")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds rows.")
def restore_command(archive, force):
    """Restore ARCHIVE onto this database (empty, created by `flask db upgrade`)."""
    try:
        manifest = restore(archive, force=force)
    except BackupError as exc:
        click.echo(f"refused: {exc}", err=True)
        sys.exit(1)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"restored {rows} rows in {len(manifest['tables'])} tables and {len(manifest['files'])} files")
    if manifest["audit_broken"]:
        click.echo(f"warning: the restored audit chain is broken at #{manifest['audit_broken'][0]}", err=True)
        sys.exit(2)
