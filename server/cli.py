"""The ``jiuzhu`` console command: a Flask CLI group.

Rooms add commands by giving their package a ``cli.py`` with a ``commands`` list.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from .auth.roles import Role
from .db import db


def _make_app():
    from . import create_app

    return create_app({"CHECK_MIGRATIONS": False})


@click.group(cls=FlaskGroup, create_app=_make_app, add_default_commands=False)
def main():
    """Jiuzhu (救助) server administration."""


def register_cli(app) -> None:
    from .rooms import room_modules

    for command in CORE_COMMANDS:
        app.cli.add_command(command)
    for module in room_modules("cli"):
        for command in module.commands:
            app.cli.add_command(command)


def _fail(message: str):
    click.echo(message, err=True)
    sys.exit(1)


# -- db ---------------------------------------------------------------------------------------

@click.group("db")
def db_group():
    """Database migrations."""


@db_group.command("upgrade")
@click.option("--revision", default="head")
@with_appcontext
def db_upgrade(revision):
    """Apply the migrations up to REVISION (default: the newest)."""
    from .migrate import upgrade

    upgrade(current_app, revision)
    click.echo(f"database upgraded to {revision}")


@db_group.command("current")
@with_appcontext
def db_current():
    """Show the database's revision and the code's."""
    from .migrate import state

    current, head = state(current_app)
    click.echo(f"database: {current or '(empty)'}  code: {head}")


# -- demo -------------------------------------------------------------------------------------

@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has regions.")
@with_appcontext
def demo_data(if_empty):
    """Load the deterministic demo county with one user per role."""
    from . import demo

    if not demo.is_empty():
        if if_empty:
            click.echo("database already has data; demo not loaded")
            return
        _fail("the database already has data; use an empty database for the demo")
    rows = demo.load()
    db.session.commit()
    print_demo_logins(rows)


def print_demo_logins(rows):
    from . import demo

    click.echo("Demo logins (password for all: %s)" % demo.DEMO_PASSWORD)
    for username, name, region in rows:
        click.echo(f"  {username:<11} {name}（{region}）")


# -- users ------------------------------------------------------------------------------------

@click.group("user")
def user_group():
    """Create users, disable them, set passwords."""


def _region(code: str):
    from .regions.queries import region_by_code

    region = region_by_code(code)
    if region is None:
        _fail(f"no region with code {code}")
    return region


def _user(username: str):
    from .auth.models import User

    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        _fail(f"no user {username}")
    return user


@user_group.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Display name")
@click.option("--role", required=True,
              type=click.Choice([r.value for r in Role]))
@click.option("--region", "region_code", required=True, help="12-digit region code")
@click.password_option()
@with_appcontext
def user_create(username, display_name, role, region_code, password):
    """Create a user."""
    from .auth.operations import AuthError, create_user

    try:
        create_user(username, display_name, password, role, _region(region_code))
    except AuthError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"user {username} created")


@user_group.command("disable")
@click.argument("username")
@with_appcontext
def user_disable(username):
    """Disable a user (they can no longer log in or use tokens)."""
    from .auth.operations import set_active

    set_active(_user(username), False)
    db.session.commit()
    click.echo(f"user {username} disabled")


@user_group.command("enable")
@click.argument("username")
@with_appcontext
def user_enable(username):
    """Enable a disabled user."""
    from .auth.operations import set_active

    set_active(_user(username), True)
    db.session.commit()
    click.echo(f"user {username} enabled")


@user_group.command("passwd")
@click.argument("username")
@click.password_option()
@with_appcontext
def user_passwd(username, password):
    """Set a user's password."""
    from .auth.operations import AuthError, set_password

    try:
        set_password(_user(username), password)
    except AuthError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"password of {username} changed")


# -- regions, tokens, audit ---------------------------------------------------------------------

@click.group("region")
def region_group():
    """Region tree."""


@region_group.command("import")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@with_appcontext
def region_import(csv_file):
    """Import regions from a CSV of code,name,parent_code[,urban_rural]."""
    from .regions.operations import ImportError_, import_regions

    try:
        created, updated = import_regions(csv_file.read())
    except ImportError_ as exc:
        _fail("nothing imported:\n" + "\n".join(exc.errors))
    db.session.commit()
    click.echo(f"{created} regions created, {updated} updated")


@click.group("token")
def token_group():
    """API tokens."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for")
@with_appcontext
def token_create(username, name):
    """Create an API bearer token for USERNAME (shown once)."""
    from .auth.operations import create_token

    token = create_token(_user(username), name)
    db.session.commit()
    click.echo(token)


@click.group("audit")
def audit_group():
    """Audit trail."""


@audit_group.command("verify")
@with_appcontext
def audit_verify():
    """Check the audit hash chain and its checkpoint; exit 1 when broken."""
    from .audit.operations import verify

    verdict = verify()
    if not verdict.ok:
        _fail(verdict.problem)
    click.echo(f"审计链完好 / audit chain intact: {verdict.count} events")
    if verdict.note:
        click.echo(verdict.note)


# -- backup and restore ---------------------------------------------------------------------------

class _BackupGroup(click.Group):
    """``backup DIR`` makes a backup; ``backup verify DIR`` checks one."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["create", *args]
        return super().parse_args(ctx, args)


@click.group("backup", cls=_BackupGroup)
def backup_group():
    """Back up the database, the data directory and the keys: jiuzhu backup DIR."""


@backup_group.command("create")
@click.argument("folder", type=click.Path(path_type=Path))
@with_appcontext
def backup_create(folder):
    """Write a backup into the new folder FOLDER (also: jiuzhu backup FOLDER)."""
    from .backup import BackupError, create

    try:
        made = create(folder)
    except BackupError as exc:
        _fail(str(exc))
    click.echo(f"备份完成 / backup written: {made}")


@backup_group.command("verify")
@click.argument("folder", type=click.Path(path_type=Path))
def backup_verify(folder):
    """Re-hash a backup against its manifest; exit 1 at the first difference."""
    from .backup import BackupError, verify

    try:
        manifest = verify(folder)
    except BackupError as exc:
        _fail(str(exc))
    click.echo(f"备份完好 / backup intact: {len(manifest['files'])} files, "
               f"{manifest['created_at']}")


@click.command("restore")
@click.argument("folder", type=click.Path(path_type=Path))
@with_appcontext
def restore(folder):
    """Restore a backup into this (empty) instance; refuses one that holds data."""
    from .backup import BackupError
    from .backup import restore as restore_backup

    try:
        manifest = restore_backup(folder)
    except BackupError as exc:
        _fail(str(exc))
    click.echo(f"恢复完成 / restored the backup of {manifest['created_at']} "
               f"(migration {manifest['migration_revision']}); run `jiuzhu db upgrade` "
               "if this version is newer")


# -- processes --------------------------------------------------------------------------------

def _require_current_schema():
    from .migrate import SchemaOutOfDate, ensure_current

    try:
        ensure_current(current_app)
    except SchemaOutOfDate as exc:
        _fail(str(exc))


SWITCH_INTERVAL = 0.0005  # seconds; see _gunicorn's load


def _gunicorn(host: str, port: int, workers: int, threads: int, loglevel: str = "info"):
    """A gunicorn server for the app, configured in code (no config file to lose).

    Each worker process makes its own app in ``load`` (after the fork), so no database
    connection is shared between processes.
    """
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        _fail("gunicorn is not installed: pip install 'jiuzhu[prod]' (make run does)")

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": workers,
                               "threads": threads, "worker_class": "gthread",
                               "timeout": 120, "graceful_timeout": 20,
                               "errorlog": "-", "accesslog": None, "loglevel": loglevel,
                               # no control socket in ~/.gunicorn shared by every server
                               "control_socket_disable": True}.items():
                if key in self.cfg.settings:  # older gunicorn lacks some settings
                    self.cfg.set(key, value)

        def load(self):
            from . import create_app
            from .documents.pdf import warm_up

            # a request thread back from the database waits for the GIL up to this long while
            # the others compute; one holding a row lock (the case-number counter, the audit
            # chain head) makes every other intake wait too: 0.5 ms instead of Python's 5 ms
            sys.setswitchinterval(SWITCH_INTERVAL)
            app = create_app()
            with app.app_context():
                warm_up()  # this process's converter for pages' PDFs, started meanwhile
            return app

    return Server()


def _server_options(command):
    """--host, --port, --workers, --threads: the same for `serve` and `run`."""
    for option in reversed([
            click.option("--host", default="127.0.0.1"),
            click.option("--port", default=5000, type=int),
            click.option("--workers", default=2, type=click.IntRange(1, 64),
                         help="Server processes"),
            click.option("--threads", default=4, type=click.IntRange(1, 64),
                         help="Request threads per process")]):
        command = option(command)
    return command


@click.command("serve")
@_server_options
@click.option("--quiet", is_flag=True, help="Print warnings and errors only")
@with_appcontext
def serve(host, port, workers, threads, quiet):
    """Run the web server (gunicorn: WORKERS processes of THREADS threads each)."""
    _require_current_schema()
    db.engine.dispose()  # the check's connection must not be inherited by the workers
    if not quiet:
        click.echo(f"Jiuzhu is running on http://{host}:{port}/ "
                   f"({workers} processes x {threads} threads)")
    _gunicorn(host, port, workers, threads, "warning" if quiet else "info").run()


@click.command("worker")
@click.option("--workers", default=2, type=int, help="Worker threads")
@click.option("--max-delay", default=1.0, type=float,
              help="Longest idle polling interval in seconds (Huey defaults to 10)")
@click.option("--quiet", is_flag=True, help="Log warnings and errors only")
@with_appcontext
def worker(workers, max_delay, quiet):
    """Run a Huey consumer that picks up tasks within about a second."""
    import logging

    from .documents.pdf import WARM, warm_up
    from .worker import run_consumer

    _require_current_schema()
    warm_up(len(WARM.converters))  # the bundles' converters, ready for the first batch
    run_consumer(workers=workers, max_delay=max_delay,
                 level=logging.WARNING if quiet else logging.INFO)


@click.command("run")
@_server_options
@with_appcontext
def run_all(host, port, workers, threads):
    """Everything `make run` does: migrate, load the demo county if the database is empty,
    serve (gunicorn) with the worker; Ctrl-C stops both."""
    import signal

    from . import demo
    from .launcher import launch
    from .migrate import upgrade

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped while preparing: same
    try:
        upgrade(current_app)
        if demo.is_empty():
            demo.load()
            db.session.commit()
        rows = demo.logins()
    except KeyboardInterrupt:  # nothing half-done: the demo commits once, migrations per step
        db.session.rollback()
        click.echo("Jiuzhu stopped.")
        sys.exit(0)
    db.session.remove()
    db.engine.dispose()  # the children open their own connections
    sys.exit(launch(host, port, workers, threads, lambda: rows and print_demo_logins(rows)))


CORE_COMMANDS = [db_group, demo_data, user_group, region_group, token_group, audit_group,
                 backup_group, restore, serve, worker, run_all]
