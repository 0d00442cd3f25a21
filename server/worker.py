"""The worker entry: imports every room's tasks, then runs the Huey consumer."""
from __future__ import annotations

import logging

from .extensions import huey
from .rooms import room_modules


def import_tasks() -> None:
    room_modules("tasks")
    from . import backup  # noqa: F401 - registers the nightly backup


def make_consumer(workers: int = 2, max_delay: float = 1.0):
    """A consumer whose idle polling never backs off past ``max_delay`` seconds (Huey's own
    default is 10 s, which would leave a clerk waiting for a print pack)."""
    import_tasks()
    return huey.create_consumer(workers=workers, worker_type="thread", initial_delay=0.1,
                                backoff=1.15, max_delay=max_delay, periodic=True,
                                check_worker_health=True)


def recover_interrupted() -> dict[str, list[int]]:
    """Repair the jobs a dead worker left unfinished (see server/jobs.py) and remove the
    temporary files killed processes left, before taking work."""
    from .extensions import _app_for_task, data_dir
    from .faults import sweep_stale_tmp
    from .jobs import recover

    import_tasks()
    with _app_for_task().app_context():
        sweep_stale_tmp(data_dir())
        return recover()


def run_consumer(workers: int = 2, max_delay: float = 1.0, level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="[%(asctime)s] %(levelname)s %(message)s")
    consumer = make_consumer(workers, max_delay)
    recover_interrupted()
    consumer.run()


import_tasks()
