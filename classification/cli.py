"""``flask rating run`` and ``flask rating export``."""
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from accounts.models import Agency
from extensions import db

rating_cli = AppGroup("rating", help="Yearly quality classification.")


def _agency(code: str | None) -> list[Agency]:
    if code is None:
        return list(db.session.scalars(select(Agency).where(Agency.parent_id.is_(None))))
    agency = db.session.scalars(select(Agency).where(Agency.code == code)).first()
    if agency is None:
        raise click.UsageError(f"no agency with code {code!r}")
    return [agency]


@rating_cli.command("run")
@click.option("--year", type=int, required=True)
@click.option("--agency", "code", default=None, help="Agency code (default: every agency).")
@click.option("--lang", default="vi", type=click.Choice(["vi", "en"]))
@click.option("--quiet", is_flag=True, help="Print the counts per level only, not every person.")
def run_command(year, code, lang, quiet):
    """Rate everyone under the agency and print score, level and reasons per person.

    Units already proposed, decided or approved keep their rows; an agency whose own unit
    is past draft is refused."""
    from flask_babel import force_locale

    from classification.queries import rows_of
    from classification.services import level_counts, run_rating
    from classification.workflow import WorkflowError
    from templating import format_score

    for agency in _agency(code):
        try:
            rows = run_rating(agency, year)
        except WorkflowError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        counts = ", ".join(f"{k} {v}" for k, v in level_counts(rows).items())   # before the commit expires them
        council = sum(r.needs_council for r in rows)
        db.session.commit()
        if quiet:
            click.echo(f"{agency.code}: {len(rows)} people; {counts}; council {council}")
            continue
        for row in rows_of(agency, year):      # one read with the reasons
            with force_locale(lang):
                score = format_score(row.score)
            flag = " [council]" if row.needs_council else ""
            click.echo(f"{row.user.full_name}\t{row.user.agency.code}\t{row.profile}\t{score}\t{row.level}{flag}")
            for reason in row.reasons:
                click.echo(f"    - {reason[lang]}")


@rating_cli.command("export")
@click.option("--year", type=int, required=True)
@click.option("--agency", "code", required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(year, code, out):
    """Write the agency's stored classification for the year to an XLSX file."""
    from classification.export import classification_xlsx
    from classification.queries import rows_of

    rows = rows_of(_agency(code)[0], year)
    out.write_bytes(classification_xlsx(rows, year))
    click.echo(f"{out}: {len(rows)} people")
