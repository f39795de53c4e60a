"""``flask audit verify|checkpoint``, ``flask data purge``, ``flask users unlock|reset-2fa|logout``."""
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from accounts import audit, retention, services, sessions, twofactor
from accounts.models import User
from extensions import db

audit_cli = AppGroup("audit", help="Check the hash-chained audit log.")
data_cli = AppGroup("data", help="Personal data: retention.")
users_cli = AppGroup("users", help="Account recovery for administrators.")


@audit_cli.command("verify")
def verify_command():
    """Recompute the chain and compare it with the signed checkpoint; exit 1 on any problem."""
    result = audit.verify()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for problem in result.problems:
        click.echo(f"TAMPERED: {problem}", err=True)
    if result.ok:
        click.echo(f"audit chain intact: {result.length} records, newest #{result.head_id}")
    sys.exit(0 if result.ok else 1)


@audit_cli.command("checkpoint")
@click.option("--force", is_flag=True, help="Write even when the chain is broken or the checkpoint is newer "
                                             "(after a restore from a backup).")
def checkpoint_command(force):
    """Sign the chain's current length and head into AUDIT_CHECKPOINT."""
    broken = audit.verify_chain()
    if broken and not force:
        click.echo(f"the chain is broken at #{broken[0]}: no checkpoint written (see `flask audit verify`)", err=True)
        sys.exit(1)
    length, head_id, _ = audit.checkpoint_now(force=force)
    click.echo(f"checkpoint: {length} records, newest #{head_id}")


@data_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted.")
def purge_command(dry_run):
    """Delete evidence files and security events past their retention period (config.py)."""
    report = retention.purge(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        retention.remove_files(report)
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"{verb}: {report.evidence_rows} evidence file records ({len(report.files)} stored files), "
               f"{report.events} security events, {report.sessions} ended sessions")


def _user(username: str) -> User:
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise click.UsageError(f"no user {username!r}")
    return user


@users_cli.command("unlock")
@click.argument("username")
def unlock_command(username):
    """Lift a login lock before its time runs out."""
    services.unlock(_user(username))
    db.session.commit()
    click.echo(f"{username}: unlocked")


@users_cli.command("reset-2fa")
@click.argument("username")
def reset_two_factor_command(username):
    """Turn two-factor login off for a person who lost their phone and their recovery codes."""
    user = _user(username)
    twofactor.disable(user)
    sessions.end_all(user, reason="2fa_reset")
    sessions.log_event("2fa_reset", user)
    db.session.commit()
    click.echo(f"{username}: two-factor login off, every session ended; they enrol again at next login")


@users_cli.command("logout")
@click.argument("username")
def logout_command(username):
    """End every session of a person (a lost laptop, a compromised account)."""
    n = sessions.end_all(_user(username), reason="admin")
    db.session.commit()
    click.echo(f"{username}: {n} session(s) ended")


def register(app) -> None:
    """Add the security commands (audit, data, users, backup) to ``flask``."""
    from backup import backup_cli

    for group in (audit_cli, data_cli, users_cli, backup_cli):
        app.cli.add_command(group)
