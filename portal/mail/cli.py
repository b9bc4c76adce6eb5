"""`flask mail worker` (what `make run` starts beside gunicorn) and `flask mail send-queued`."""

import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.mail.services import BATCH, deliver_pending, given_up_count, pending_count

mail_cli = AppGroup("mail", help="The outgoing mail queue.")


@mail_cli.command("send-queued")
def send_queued_command() -> None:
    """Deliver every queued message that is due, once, and stop (for cron and tests); failed
    ones are retried with backoff by later passes."""
    sent = failed = 0
    while True:
        batch_sent, batch_failed = deliver_pending()
        sent, failed = sent + batch_sent, failed + batch_failed
        if batch_sent + batch_failed < BATCH:
            break
    click.echo(
        f"Mail: {sent} sent, {failed} failed, {pending_count()} still queued, "
        f"{given_up_count()} given up."
    )


@mail_cli.command("worker")
@click.option("--poll", type=float, help="Seconds between looks at the queue when it is empty.")
def worker_command(poll: float | None) -> None:
    """Deliver queued mail until stopped. SIGTERM or Ctrl-C stops it after the batch in hand.
    Several workers may run (one per host): they never send the same message."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    interval = poll or current_app.config["MAIL_POLL_SECONDS"]
    click.echo(f"Mail worker: looking for queued mail every {interval:g}s.", err=True)
    sent = 0
    while not stop.is_set():
        try:
            batch_sent, batch_failed = deliver_pending()
        except SQLAlchemyError as error:  # the database restarting, say: look again later
            db.session.rollback()
            current_app.logger.warning("Mail worker could not read the queue: %s", error)
            batch_sent = batch_failed = 0
        sent += batch_sent
        if batch_sent + batch_failed < BATCH:
            stop.wait(interval)
    click.echo(f"Mail worker stopped ({sent} sent).", err=True)
