"""`flask notify`: the dispatcher (run / once) and a new VAPID key pair."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

import click
import uvloop
from flask import Flask, current_app
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.notify.dispatcher import Dispatcher
from webapp.notify.endpoints import push_hosts_from
from webapp.notify.vapid import VapidSigner, vapid_keys_generate, vapid_subject_problem

notify_group = AppGroup("notify", help="Push reminders: the dispatcher and its keys.")

# Without a subject of its own (development), Nära signs with this one. Apple's service
# refuses it; the others accept it. Production refuses to start without a real one.
T = TypeVar("T")

DEVELOPMENT_SUBJECT = "mailto:nara-utveckling@localhost"


def run_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run the dispatcher on uvloop: the same asyncio, with the sockets and the loop in C,
    which roughly halves what each message costs the processor besides its encryption."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(work)


def init_app(app: Flask) -> None:
    app.cli.add_command(notify_group)


def dispatcher_from_config(*, lease_seconds: int = 60) -> Dispatcher:
    config = current_app.config
    subject = config["VAPID_SUBJECT"]
    why = vapid_subject_problem(subject)
    if why:
        logging.getLogger("nara.notify").warning(
            "VAPID_SUBJECT will not do (%s): Apple's push service will refuse these messages",
            why,
        )
        subject = subject or DEVELOPMENT_SUBJECT
    return Dispatcher(
        db.engine,
        VapidSigner(config["VAPID_PRIVATE_KEY"], subject),
        hosts=push_hosts_from(config),
        concurrency=config["NOTIFY_CONCURRENCY"],
        poll=config["NOTIFY_POLL_SECONDS"],
        lease=timedelta(seconds=lease_seconds),
    )


@notify_group.command("keys")
def keys() -> None:
    """Print a new VAPID key pair for VAPID_PRIVATE_KEY (and the public key it implies)."""
    private, public = vapid_keys_generate()
    click.echo(f"VAPID_PRIVATE_KEY={private}")
    click.echo(f"# public key, served to the pages: {public}")


@notify_group.command("once")
def once() -> None:
    """Send every reminder that is due now, then stop."""
    tally = run_loop(dispatcher_from_config().run(once=True))
    click.echo(f"notify once: {tally or 'nothing was due'}")


@notify_group.command("run")
@click.option(
    "--lease",
    "lease_seconds",
    default=60,
    show_default=True,
    help="Seconds a claimed reminder is held before another dispatcher may take it.",
    type=click.IntRange(min=15),
)
def run(lease_seconds: int) -> None:
    """Send reminders as they fall due until stopped (SIGTERM or Ctrl-C): what is in flight
    is finished and recorded before it exits."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s notify %(message)s")
    dispatcher = dispatcher_from_config(lease_seconds=lease_seconds)

    async def until_stopped() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        click.echo(f"notify run: dispatcher {dispatcher.name} started", err=True)
        tally = await dispatcher.run(stop)
        click.echo(f"notify run: stopped ({tally or 'nothing sent'})", err=True)

    run_loop(until_stopped())
