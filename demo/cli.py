"""``flask demo load``."""
import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
def load_command():
    """Create the demo province (idempotent) and print the demo logins."""
    from demo.data import DEMO_LOGINS, PASSWORD, STAFF
    from demo.loader import load

    click.echo("demo data loaded" if load() else "demo data already present: nothing changed")
    roles = {s[0]: (s[1], ", ".join(r for r, _a in s[6]) or "examinee") for s in STAFF}
    click.echo(f"\nDemo logins (password for all: {PASSWORD}):")
    for username in DEMO_LOGINS:
        name, role = roles[username]
        click.echo(f"  {username:<14} {name:<22} {role}")
