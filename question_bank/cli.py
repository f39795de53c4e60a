"""``flask questions import|export``."""
import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from extensions import db
from question_bank.formats import FormatError
from question_bank.models import QuestionBank

questions_cli = AppGroup("questions", help="Import and export question banks.")


def _bank(code: str) -> QuestionBank:
    bank = db.session.scalars(select(QuestionBank).where(QuestionBank.code == code)).first()
    if bank is None:
        raise click.UsageError(f"no bank with code {code!r} (see `flask questions banks`)")
    return bank


def _user(username: str):
    from accounts.models import User

    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise click.UsageError(f"no user {username!r}")
    return user


def _print_report(report) -> None:
    status = "imported" if report.written else "NOT imported"
    click.echo(f"{report.file}: {report.format}, {report.imported} {status}")
    for qtype, n in sorted(report.by_type.items()):
        click.echo(f"  type {qtype}: {n}")
    for cat, n in sorted(report.categories.items()):
        click.echo(f"  category {cat}: {n}")
    for dup in report.duplicates:
        where = f"{report.file}:{dup['line']}" if dup["line"] is not None else report.file
        label = "duplicate skipped" if report.skipped_duplicates else "duplicate"
        click.echo(f"{where}: {label}: {dup['message']}" + (f" [{dup['question']}]" if dup["question"] else ""))
    for err in report.errors:
        where = f"{report.file}:{err['line']}" if err["line"] is not None else report.file
        label = "skipped" if report.written else "error"
        click.echo(f"{where}: {label}: {err['message']}" + (f" [{err['question']}]" if err["question"] else ""),
                   err=True)


@questions_cli.command("banks")
def list_banks():
    """List the banks and their codes."""
    for bank in db.session.scalars(select(QuestionBank).order_by(QuestionBank.code)):
        click.echo(f"{bank.code}\t{bank.name}\t{bank.agency.code}")


@questions_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_code", required=True, help="Code of the bank to import into.")
@click.option("--format", "fmt", default=None,
              type=click.Choice(["gift", "moodle_xml", "aiken", "qti", "xlsx", "csv"]), help="Skip detection.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid questions and list the skipped ones.")
@click.option("--skip-duplicates", is_flag=True,
              help="Leave out questions whose text and key are already in the bank (or earlier in the file).")
@click.option("--author", "author_name", default=None,
              help="Username recorded as the author (a reviewer other than the author approves the drafts).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file.")
def import_command(files, bank_code, fmt, skip_invalid, skip_duplicates, author_name, as_json):
    """Import FILES into a bank as drafts.  A file with any bad question writes nothing
    (exit 1) unless --skip-invalid is given; duplicates are listed, and left out with
    --skip-duplicates."""
    from question_bank.services import import_file

    bank = _bank(bank_code)
    author = _user(author_name) if author_name else None
    failed = False
    for path in files:
        try:
            report = import_file(bank, path.read_bytes(), path.name, fmt=fmt, skip_invalid=skip_invalid,
                                 skip_duplicates=skip_duplicates, user=author)
        except FormatError as exc:
            failed = True
            out = {"file": path.name, "format": None, "imported": 0, "by_type": {}, "categories": {},
                   "errors": [{"line": None, "question": None, "message": str(exc)}], "written": False,
                   "duplicates": [], "duplicates_skipped": skip_duplicates}
            click.echo(json.dumps(out, ensure_ascii=False) if as_json else f"{path.name}: {exc}", err=not as_json)
            continue
        if report.written:
            db.session.commit()
        else:
            db.session.rollback()
            failed = failed or bool(report.errors)
        click.echo(json.dumps(report.as_json(), ensure_ascii=False)) if as_json else _print_report(report)
    sys.exit(1 if failed else 0)


@questions_cli.command("export")
@click.option("--bank", "bank_code", required=True)
@click.option("--format", "fmt", required=True, type=click.Choice(["gift", "moodle_xml", "xlsx"]))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_command(bank_code, fmt, out):
    """Export a bank's current versions to GIFT, Moodle XML or XLSX."""
    from question_bank.export import export_bank

    data = export_bank(_bank(bank_code), fmt)
    out.write_bytes(data)
    click.echo(f"{out}: {len(data)} bytes")


@questions_cli.command("approve")
@click.option("--bank", "bank_code", required=True)
@click.option("--reviewer", "reviewer_name", required=True, help="Username of the reviewer (not the author).")
def approve_command(bank_code, reviewer_name):
    """Approve every draft and in-review question of a bank not written by the reviewer."""
    from question_bank.services import approve_all

    from accounts.models import Role
    from accounts.permissions import can_reach

    bank, reviewer = _bank(bank_code), _user(reviewer_name)
    if not can_reach(reviewer, bank.agency, Role.REVIEWER):
        raise click.UsageError(f"{reviewer_name!r} holds no reviewer role over {bank.agency.code}")
    done, own = approve_all(bank, reviewer)
    db.session.commit()
    click.echo(f"{done} approved, {own} left (written by {reviewer_name})")


@questions_cli.command("reindex")
@click.option("--bank", "bank_code", default=None, help="Only this bank (default: every bank).")
def reindex_command(bank_code):
    """Recompute what each question copies from its current version (search text,
    duplicate key, type, difficulty, tag rows): after a migration adds these columns to an
    existing database, or after fixing the folding rules."""
    from question_bank.models import Question
    from question_bank.services import refresh_copies

    stmt = select(Question.id).order_by(Question.id)
    if bank_code:
        stmt = stmt.where(Question.bank_id == _bank(bank_code).id)
    ids = list(db.session.scalars(stmt))
    for start in range(0, len(ids), 500):
        for question in db.session.scalars(select(Question).where(Question.id.in_(ids[start:start + 500]))):
            refresh_copies(question)
        db.session.commit()
    click.echo(f"{len(ids)} questions reindexed")
