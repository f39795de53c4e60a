"""``flask translate extract|update|compile`` (the microblog pattern)."""
import subprocess
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

translate_cli = AppGroup("translate", help="Translation catalogues (vi default, en).")
ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> None:
    if subprocess.call([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT):
        raise click.ClickException(f"pybabel {args[0]} failed")


@translate_cli.command()
def update():
    """Extract the strings and merge them into every catalogue."""
    _run("extract", "-F", "babel.cfg", "-k", "_l", "-o", "messages.pot", ".")
    _run("update", "-i", "messages.pot", "-d", "translations")
    (ROOT / "messages.pot").unlink()


@translate_cli.command()
def compile():
    """Compile the catalogues into .mo files."""
    _run("compile", "-d", "translations")
