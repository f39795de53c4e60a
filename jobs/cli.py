"""``flask jobs worker`` (the RQ worker of this app) and ``flask jobs list``."""
import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from extensions import db
from jobs.models import Job, JobState
from jobs.runners import runner
from jobs.services import fail_stale

jobs_cli = AppGroup("jobs", help="Background jobs (DECISIONS.md 18).")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then exit.")
def worker_command(burst):
    """Run queued jobs from Redis (REDIS_URL), one at a time, in this process.

    Start as many as the jobs need (systemd, supervisor).  On start it fails the jobs whose
    process died (on this host) or that made no progress within JOBS_STALE_MINUTES.
    """
    from rq import SimpleWorker

    if current_app.config["JOBS_MODE"] != "rq":
        raise click.ClickException("REDIS_URL is not set: jobs run in a worker thread of the app "
                                   f"(JOBS_MODE={current_app.config['JOBS_MODE']}); no separate worker is needed")
    stale = fail_stale()
    if stale:
        click.echo(f"{stale} stale job(s) marked failed")
    rq_runner = runner()
    worker = SimpleWorker([rq_runner.queue()], connection=rq_runner.connection())
    worker.work(burst=burst)


@jobs_cli.command("list")
@click.option("--state", type=click.Choice([s.value for s in JobState]), help="Only jobs in this state.")
@click.option("--limit", default=20, show_default=True, help="How many of the newest jobs.")
def list_command(state, limit):
    """The newest jobs: id, kind, state, progress, creation time (UTC), creator, error."""
    fail_stale(runner().live_ids())
    stmt = select(Job).order_by(Job.id.desc()).limit(limit)
    if state:
        stmt = stmt.where(Job.state == JobState(state))
    for job in db.session.scalars(stmt):
        who = job.created_by.username if job.created_by else "-"
        line = (f"{job.id:>6}  {job.kind:<14} {job.state.value:<8} {job.done:>6}/{job.total:<6} "
                f"{job.created_at:%Y-%m-%d %H:%M:%S}  {who}")
        click.echo(line + (f"  {job.error}" if job.error else ""))
