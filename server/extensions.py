"""Extension singletons, attached to an app with ``init_app`` in ``create_app``.

The Huey instance is made at import time (task decorators need it); its storage follows the
environment: Redis when ``JIUZHU_HUEY_URL``/``REDIS_URL`` is set, SQLite under ``instance/``
otherwise.
"""
from __future__ import annotations

import functools
import os

from flask import current_app, has_app_context
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from huey import RedisHuey, SqliteHuey

from . import config

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def make_huey():
    url = os.environ.get("JIUZHU_HUEY_URL") or os.environ.get("REDIS_URL")
    immediate = os.environ.get("JIUZHU_HUEY_IMMEDIATE", "0") == "1"
    if url:
        return RedisHuey("jiuzhu", url=url, immediate=immediate)
    path = os.environ.get("JIUZHU_HUEY_SQLITE_PATH") or str(config.instance_dir() / "huey.db")
    return SqliteHuey("jiuzhu", filename=path, immediate=immediate)


huey = make_huey()

_worker_app = None


def _app_for_task():
    """The app a worker process runs tasks in: made once per process."""
    global _worker_app
    if _worker_app is None:
        from . import create_app

        _worker_app = create_app()
    return _worker_app


def _in_app_context(fn):
    """Run ``fn`` inside an app context and commit (or roll back) at the end of the task.

    In immediate mode inside a request or test there already is an app context: the task then
    shares the caller's unit of work.
    """

    @functools.wraps(fn)
    def run(*args, **kwargs):
        from .db import db

        if has_app_context():
            return fn(*args, **kwargs)
        with _app_for_task().app_context():
            try:
                result = fn(*args, **kwargs)
                db.session.commit()
                return result
            except Exception:
                db.session.rollback()
                raise

    return run


def app_task(*task_args, **task_kwargs):
    """Like ``huey.task`` but inside an app context. Tasks take ids, never ORM objects."""
    return lambda fn: huey.task(*task_args, **task_kwargs)(_in_app_context(fn))


def app_periodic_task(validate_datetime, **task_kwargs):
    """Like ``huey.periodic_task`` but inside an app context."""
    return lambda fn: huey.periodic_task(validate_datetime, **task_kwargs)(_in_app_context(fn))


def data_dir():
    from pathlib import Path

    path = Path(current_app.config["DATA_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path
