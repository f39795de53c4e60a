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
    """Apply a previewed regrade JOB_ID (made on the exam's page) here, printing progress.

    It runs as a recorded background job of kind ``exam.regrade`` (``flask jobs list``), the
    same function the exam's page queues."""
    from sqlalchemy import select

    from accounts.models import User
    from exam.models import RegradeJob
    from jobs.services import run_now

    regrade = db.session.get(RegradeJob, job_id)
    user = db.session.scalars(select(User).where(User.username == actor)).first()
    if regrade is None or user is None:
        raise click.ClickException("no such job or user")
    job = run_now("exam.regrade", {"regrade_id": regrade.id, "exam_id": regrade.exam_id, "actor_id": user.id},
                  user, regrade.exam.agency, listener=lambda j: click.echo(f"\r{j.done}/{j.total}", nl=False))
    if job.state.value != "done":
        raise click.ClickException(job.error or "the regrade failed")
    click.echo(f"\nregrade {job_id} applied: {job.result['changed']} result(s) changed (job {job.id})")
