"""``jiuzhu calendar``: import a county's holiday list, show coverage per year."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..db import db
from ..periods import local_today


def _county(code: str):
    from ..regions.models import RegionLevel
    from ..regions.queries import region_by_code

    region = region_by_code(code)
    if region is None or region.level != RegionLevel.county:
        click.echo(f"no county with code {code}", err=True)
        sys.exit(1)
    return region


@click.group("calendar")
def calendar_group():
    """Working-day calendar: the county's holidays and make-up working days."""


@calendar_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--county", "county_code", required=True, help="12-digit county code")
@with_appcontext
def calendar_import(file, county_code):
    """Import lines date,kind,name (kind: holiday/makeup_workday, or 休/班; date may be a range)."""
    from .operations import CalendarError, import_holidays

    try:
        created, replaced = import_holidays(_county(county_code), file.read())
    except CalendarError as exc:
        click.echo("nothing imported:\n" + "\n".join(exc.errors), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{created} days added, {replaced} replaced")


@calendar_group.command("coverage")
@click.option("--county", "county_code", required=True, help="12-digit county code")
@with_appcontext
def calendar_coverage(county_code):
    """Show where each year's holidays come from (county, official, fallback)."""
    from .queries import overview

    for row in overview(_county(county_code).id, local_today().year):
        click.echo(f"{row.year}  {row.coverage:<9} {row.entries:>3} entries  {row.warning or ''}")


commands = [calendar_group]
