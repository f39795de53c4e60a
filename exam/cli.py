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


@exam_cli.command("generate-papers")
@click.argument("code")
def generate_papers_command(code):
    """Draw and store every candidate's paper of exam CODE before the window opens."""
    from sqlalchemy import select

    from exam.models import Exam
    from exam.papers import DrawError, generate_papers

    exam = db.session.scalars(select(Exam).where(Exam.code == code)).first()
    if exam is None:
        raise click.ClickException(f"no exam {code}")
    try:
        n = generate_papers(exam)
    except DrawError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"generated {n} paper(s) for {code}")


@exam_cli.command("regrade")
@click.argument("job_id", type=int)
@click.option("--actor", required=True, help="username of the exam admin applying it (audited)")
def regrade_command(job_id, actor):
    """Apply a previewed regrade JOB_ID (made on the exam's page), printing progress."""
    from sqlalchemy import select

    from accounts.models import User
    from exam.marking import apply_regrade
    from exam.models import RegradeJob
    from exam.services import ExamError

    job = db.session.get(RegradeJob, job_id)
    user = db.session.scalars(select(User).where(User.username == actor)).first()
    if job is None or user is None:
        raise click.ClickException("no such job or user")
    try:
        changed = apply_regrade(job, user, progress=lambda j: click.echo(f"\r{j.done}/{j.total}", nl=False))
    except ExamError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"\nregrade {job_id} applied: {changed} result(s) changed")
