"""`jiuzhu run`, what `make run` starts: the web server (gunicorn) and the worker as children.

It prints only what a user needs (the URL, the demo logins, how to stop) and stops both
cleanly on Ctrl-C or SIGTERM with exit status 0, so make reports no error. Under make, the
launcher takes the terminal's foreground for itself while serving: make would otherwise get
Ctrl-C's SIGINT too and print "Interrupt" (exit 130) however cleanly the server stopped.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time

import click

# gunicorn finishes requests within its graceful timeout (20 s); Huey lets a task finish
STOP_TIMEOUT = 30
PR_SET_PDEATHSIG = 1


def _die_with_launcher() -> None:
    """In the child (Linux): SIGTERM when the launcher dies, so no server is left on the port."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.contextmanager
def terminal_foreground():
    """Make this process's own group the terminal's foreground while the block runs.

    Only when the launcher shares a foreground group with its parent (make): Ctrl-C then
    interrupts the launcher alone, and the terminal goes back to the parent afterwards.
    """
    try:
        tty = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:  # no controlling terminal (a service, a test, CI)
        yield
        return
    previous = None
    ttou = signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # a background group may set it too
    try:
        with contextlib.suppress(OSError):
            foreground = os.tcgetpgrp(tty)
            if foreground == os.getpgrp() != os.getpid():
                os.setpgid(0, 0)
                previous = foreground
                os.tcsetpgrp(tty, os.getpgrp())
        yield
    finally:
        if previous is not None:
            with contextlib.suppress(OSError):
                os.tcsetpgrp(tty, previous)
        signal.signal(signal.SIGTTOU, ttou)
        os.close(tty)


def child() -> None:
    """A child's entry (`jiuzhu serve`, `jiuzhu worker`): stopped before its own signal handlers
    are in place (still starting up), it ends quietly instead of with click's "Aborted!"."""
    from .cli import main

    try:
        code = main(prog_name="jiuzhu", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        code = 0
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    sys.exit(code or 0)


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1" if host == "0.0.0.0" else host, port),
                                      timeout=0.5):
            return True
    except OSError:
        return False


def _stop(children: dict[str, subprocess.Popen]) -> None:
    """Graceful signals first (gunicorn: TERM, Huey: INT), SIGKILL after STOP_TIMEOUT."""
    graceful = {"serve": signal.SIGTERM, "worker": signal.SIGINT}
    for name, child in children.items():
        if child.poll() is None:
            child.send_signal(graceful[name])
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children.values():
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def launch(host: str, port: int, workers: int, threads: int, show_logins) -> int:
    """Serve until Ctrl-C/SIGTERM (exit 0) or until a child fails (exit 1)."""
    if not _port_free(host, port):
        click.echo(f"Port {port} on {host} is in use (is Jiuzhu already running?): stop that "
                   f"server or choose another port, e.g. make run PORT={port + 1}", err=True)
        return 1
    jiuzhu = [sys.executable, "-c", "from server.launcher import child; child()"]
    commands = {"serve": [*jiuzhu, "serve", "--quiet", "--host", host, "--port", str(port),
                          "--workers", str(workers), "--threads", str(threads)],
                "worker": [*jiuzhu, "worker", "--quiet"]}
    stopping: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda number, frame: stopping.append(number))
    children: dict[str, subprocess.Popen] = {}
    with terminal_foreground():
        try:
            for name, command in commands.items():  # own sessions: only we get Ctrl-C
                children[name] = subprocess.Popen(command, start_new_session=True,
                                                  preexec_fn=_die_with_launcher)
            announced = False
            while not stopping and all(c.poll() is None for c in children.values()):
                if not announced and _listening(host, port):
                    click.echo(f"Jiuzhu is running at http://{host}:{port}/")
                    show_logins()
                    click.echo("Press Ctrl-C to stop.")
                    announced = True
                time.sleep(0.2)
        finally:
            _stop(children)
    if stopping:
        click.echo("Jiuzhu stopped.")
        return 0
    failed = [f"{name} (exit {c.returncode})" for name, c in children.items()
              if c.returncode not in (None, 0)]
    click.echo(f"Jiuzhu stopped: {', '.join(failed) or 'a process'} ended unexpectedly; "
               "see the messages above", err=True)
    return 1
