"""``flask exam close-overdue`` (run from cron every minute; DECISIONS.md 18)."""
import click
from flask.cli import AppGroup

from exam.services import close_overdue
from extensions import db

exam_cli = AppGroup("exam", help="Exam delivery jobs.")


@exam_cli.command("close-overdue")
def close_overdue_command():
    """Close and grade every attempt whose deadline (plus grace) has passed."""
    n = close_overdue()
    db.session.commit()
    click.echo(f"closed {n} overdue attempt(s)")
