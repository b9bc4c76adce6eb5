"""`flask mail worker` (what `make run` starts beside gunicorn) and `flask mail send-queued`.

The worker does what must not run in a request: it runs the features' periodic jobs
(jobs.py: event reminders, badges, merging the search index's small segments), writes pending
notification fan-outs (portal/notifications/services.py), queues mail for new notifications
(notices.py) and the digests that are due (digests.py), then delivers queued mail and webhooks."""

import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.mail import notices
from portal.mail.digests import send_due_digests
from portal.mail.jobs import run_jobs
from portal.mail.services import BATCH, deliver_pending, given_up_count, pending_count
from portal.notifications.services import write_pending
from portal.webhooks import services as webhooks

mail_cli = AppGroup("mail", help="The outgoing mail queue and its worker.")


def _work() -> tuple[int, int, int, int, int, bool]:
    """Some of the queued work: (fan-outs written, notifications decided for mail, digests
    decided, mail sent, mail failed, more to do)."""
    jobs = run_jobs()  # before the fan-outs and mail: what they notify goes out this round
    fanouts = write_pending()
    decided = notices.mail_notifications()
    digested = send_due_digests()
    sent, failed = deliver_pending()
    hooks = webhooks.deliver_due()
    more = bool(fanouts or digested or jobs) or decided == notices.BATCH or sent + failed == BATCH
    return fanouts, decided, digested, sent, failed, more or hooks == webhooks.BATCH


@mail_cli.command("send-queued")
def send_queued_command() -> None:
    """Do all the queued work that is due, once, and stop (for cron and tests): write pending
    notifications, deliver mail. Failed mail is retried with backoff by later passes."""
    totals = [0, 0, 0, 0, 0]
    more = True
    while more:
        *done, more = _work()
        totals = [total + n for total, n in zip(totals, done, strict=True)]
    fanouts, decided, digested, sent, failed = totals
    click.echo(
        f"Notifications: {fanouts} fan-outs written, {decided} decided for mail. "
        f"Digests: {digested} members decided. "
        f"Mail: {sent} sent, {failed} failed, {pending_count()} still queued, "
        f"{given_up_count()} given up."
    )


@mail_cli.command("worker")
@click.option("--poll", type=float, help="Seconds between looks at the queue when it is empty.")
def worker_command(poll: float | None) -> None:
    """Write pending notifications and deliver queued mail until stopped. SIGTERM or Ctrl-C
    stops it after the work in hand. Several may run (one per host): they never do the same
    piece of work twice."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    interval = poll or current_app.config["MAIL_POLL_SECONDS"]
    click.echo(f"Mail worker: looking for queued work every {interval:g}s.", err=True)
    sent = 0
    while not stop.is_set():
        try:
            _, _, _, batch_sent, _, more = _work()
        except SQLAlchemyError as error:  # the database restarting, say: look again later
            db.session.rollback()
            current_app.logger.warning("Mail worker could not read the queue: %s", error)
            batch_sent, more = 0, False
        sent += batch_sent
        if not more:
            stop.wait(interval)
    click.echo(f"Mail worker stopped ({sent} sent).", err=True)
