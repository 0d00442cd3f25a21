"""``jiuzhu forms ...``: load the shipped form schemas (forms/*.yaml) into a county."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..db import db


@click.group("forms")
def forms_group():
    """Intake form schemas."""


@forms_group.command("sync")
@click.option("--county", "county_code", default=None,
              help="12-digit county code (default: every county)")
@click.option("--dir", "directory", default=None, type=click.Path(exists=True, file_okay=False),
              help="Folder with DB.yaml, TK.yaml, LS.yaml, BY.yaml (default: forms/)")
@with_appcontext
def forms_sync(county_code, directory):
    """Publish forms/<TYPE>.yaml as a new version where the file changed."""
    from sqlalchemy import select

    from ..regions.models import Region, RegionLevel
    from .operations import SchemaOperationError, sync_forms

    stmt = select(Region).where(Region.level == RegionLevel.county)
    if county_code:
        stmt = stmt.where(Region.code == county_code)
    counties = list(db.session.scalars(stmt))
    if not counties:
        click.echo(f"no county {county_code or ''}".strip(), err=True)
        sys.exit(1)
    for county in counties:
        try:
            rows = sync_forms(county, None, directory)
        except SchemaOperationError as exc:
            db.session.rollback()
            click.echo(f"{county.name}: {exc}", err=True)
            for path, message in exc.errors:
                click.echo(f"  {path}: {message}", err=True)
            sys.exit(1)
        for code, outcome in rows:
            click.echo(f"{county.name} {code}: {outcome}")
    db.session.commit()


@forms_group.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def forms_check(files):
    """Check schema files and print every problem with its path."""
    from pathlib import Path

    from .engine import SchemaError, load_schema

    failed = False
    for name in files:
        try:
            load_schema(Path(name).read_bytes())
            click.echo(f"{name}: ok")
        except SchemaError as exc:
            failed = True
            for problem in exc.errors:
                click.echo(f"{name}: {problem}", err=True)
    sys.exit(1 if failed else 0)


commands = [forms_group]
