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

    try:
        differences = verify(path)
    except Exception as exc:  # noqa: BLE001 - one line for the operator, never a traceback
        click.echo(f"无法读取归档包 / unreadable bundle: {path} ({type(exc).__name__})", err=True)
        sys.exit(2)
    if differences:
        for difference in differences:
            click.echo(str(difference))
        unreadable = any(d.problem == "unreadable" for d in differences)
        click.echo(("无法读取归档包 / unreadable bundle: " if unreadable else "")
                   + f"{len(differences)} difference(s) in {path}", err=True)
        sys.exit(1)
    click.echo(f"bundle intact: {path}")


commands = [archive_group]
