"""``jiuzhu archive …`` commands."""
from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("archive")
def archive_group():
    """Archive bundles."""


@archive_group.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
def verify_command(path: Path):
    """Re-hash the bundle at PATH (a bundle folder or a copy's ZIP) against its manifest."""
    from .verify import verify

    differences = verify(path)
    if differences:
        for difference in differences:
            click.echo(str(difference))
        click.echo(f"{len(differences)} difference(s) in {path}", err=True)
        sys.exit(1)
    click.echo(f"bundle intact: {path}")


commands = [archive_group]
