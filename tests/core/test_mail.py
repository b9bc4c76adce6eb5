"""Mail is queued in the transaction and sent by the mail worker: each message once however many
workers run, retried with backoff when SMTP is down, kept (never silently dropped) when refused."""

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time

import pytest
from aiosmtpd.controller import Controller

from portal.clock import utcnow
from portal.extensions import db
from portal.mail.models import OutboxMail
from portal.mail.services import MAX_ATTEMPTS, deliver_pending, pending_count, queue_mail
from tests.concurrency import run_concurrently
from tests.conftest import BACKEND, PG_SCHEMA
from tests.mailbox import Mailbox, body_of, free_port
from tests.running import PROJECT


def _queue(*addresses: str) -> None:
    for address in addresses:
        queue_mail(address, "Hello", f"Body for {address}")
    db.session.commit()


def test_queued_mail_is_sent_through_smtp(app, mailbox):
    queue_mail("a@example.com", "Hello", "Body text")
    db.session.commit()
    assert deliver_pending() == (1, 0)
    message = mailbox.wait_for("a@example.com")
    assert message["Subject"] == "Hello" and body_of(message).strip() == "Body text"
    assert db.session.execute(db.select(OutboxMail.sent_at)).scalar_one() is not None
    assert deliver_pending() == (0, 0)


def test_rolled_back_mail_is_never_sent(app, mailbox):
    queue_mail("b@example.com", "Hello", "Body")
    db.session.rollback()
    assert deliver_pending() == (0, 0)
    assert pending_count() == 0


@pytest.mark.parametrize("app_config", [{"MAIL_URL": f"smtp://127.0.0.1:{free_port()}"}])
def test_unreachable_smtp_keeps_the_mail_for_a_retry(app, mailbox):
    _queue("c@example.com", "c2@example.com")
    assert deliver_pending() == (0, 2)
    for mail in db.session.scalars(db.select(OutboxMail)):
        assert mail.sent_at is None and mail.attempts == 1 and "Error" in mail.last_error
        assert mail.next_attempt_at > utcnow()
    assert pending_count() == 2
    assert deliver_pending() == (0, 0)  # not due again before its backoff


def test_a_refusal_for_now_is_retried_and_for_good_is_kept_and_logged(app, mailbox, caplog):
    _queue("someone@busy.example", "nobody@refused.example", "fine@example.com")
    with caplog.at_level(logging.WARNING):
        assert deliver_pending() == (1, 2)  # one connection: the refusals do not stop the rest
    mailbox.wait_for("fine@example.com")
    mails = {m.to_address: m for m in db.session.scalars(db.select(OutboxMail))}
    busy, refused = mails["someone@busy.example"], mails["nobody@refused.example"]
    assert busy.sent_at is None and busy.attempts == 1 and "451" in busy.last_error
    assert refused.sent_at is None and refused.attempts == MAX_ATTEMPTS
    assert "550" in refused.last_error
    assert pending_count() == 1
    given_up = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.args[1] for r in given_up] == ["nobody@refused.example"]


def test_the_last_attempt_gives_up_loudly_and_keeps_the_mail(app, mailbox, caplog):
    _queue("again@busy.example")
    db.session.execute(db.update(OutboxMail).values(attempts=MAX_ATTEMPTS - 1))
    db.session.commit()
    with caplog.at_level(logging.WARNING):
        assert deliver_pending() == (0, 1)
    assert "given up" in caplog.records[-1].getMessage()
    assert caplog.records[-1].levelno == logging.ERROR
    assert pending_count() == 0
    assert db.session.execute(db.select(OutboxMail.last_error)).scalar_one()


def test_workers_at_the_same_moment_send_each_mail_once(app, mailbox):
    addresses = [f"person{n}@example.com" for n in range(40)]
    _queue(*addresses)

    def worker(_index: int) -> None:
        while deliver_pending(limit=3) != (0, 0):
            pass

    assert run_concurrently(app, worker, threads=4) == []
    assert sorted(m["To"] for m in mailbox.messages) == sorted(addresses)
    assert pending_count() == 0


def test_send_queued_delivers_everything_due_in_batches(app, runner, mailbox):
    _queue(*(f"d{n}@example.com" for n in range(45)))
    result = runner.invoke(args=["mail", "send-queued"])
    assert result.exit_code == 0, result.output
    assert "45 sent, 0 failed, 0 still queued, 0 given up" in result.output
    assert len(mailbox.messages) == 45


def _database_url(app) -> str:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if BACKEND == "postgresql":
        url += f"?options=-csearch_path%3D{PG_SCHEMA}"
    return url


def _wait_for(path, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        output = path.read_text(errors="replace")
        if text in output:
            return output
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not printed within {timeout}s:\n{path.read_text()}")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_worker_prints_a_newcomers_link_and_stops_cleanly(app, client, tmp_path, stop_signal):
    """The worker `make run` starts, on its own terminal with console mail: the confirmation
    link of someone registering through a request appears there; a signal stops it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_DATABASE_URL=_database_url(app),
        PORTAL_INSTANCE_DIR=str(tmp_path / "worker"),
        PORTAL_MAIL_URL="console://",
        PORTAL_BASE_URL="http://localhost",
    )
    terminal = tmp_path / "terminal.txt"
    with terminal.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "worker", "--poll", "0.1"],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(terminal, "Mail worker: looking for queued work")
        response = client.post(
            "/register",
            data={
                "display_name": "New Person",
                "email": "new.person@example.com",
                "password": "a long enough phrase",
                "accept_guidelines": "y",
            },
        )
        assert response.status_code == 302
        output = _wait_for(terminal, "http://localhost/confirm/")
        assert "Mail (console://, not sent)" in output and "To: new.person@example.com" in output
        worker.send_signal(stop_signal)
        assert worker.wait(timeout=15) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert "Mail worker stopped (1 sent)." in terminal.read_text()
    db.session.expire_all()
    assert db.session.execute(db.select(OutboxMail.sent_at)).scalar_one() is not None


class SlowMailbox(Mailbox):
    """A server that takes its time over each message, so a worker can be killed mid-batch.
    A message counts as accepted once it is kept: the 250 goes out right after."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.2)  # aiosmtpd cancels this when the client's connection drops
        return await super().handle_DATA(server, session, envelope)


def _start_worker(app, smtp_port: int, terminal) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_DATABASE_URL=_database_url(app),
        PORTAL_MAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        PORTAL_MAIL_CLAIM_SECONDS="2",
        PORTAL_BASE_URL="http://localhost",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "worker", "--poll", "0.1"],
        cwd=PROJECT,
        env=env,
        stdout=terminal,
        stderr=subprocess.STDOUT,
    )


def _sent_count() -> int:
    db.session.rollback()  # a fresh look at what the worker committed
    return db.session.scalar(
        db.select(db.func.count()).select_from(OutboxMail).where(OutboxMail.sent_at.is_not(None))
    )


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(app, tmp_path):
    mailbox = SlowMailbox()
    server = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    server.start()
    subjects = [f"Message {n}" for n in range(20)]  # one batch
    for subject in subjects:
        queue_mail("reader@example.com", subject, "Body")
    db.session.commit()
    workers = []
    try:
        with (tmp_path / "worker.txt").open("wb") as terminal:
            workers.append(_start_worker(app, server.port, terminal))
            deadline = time.monotonic() + 30
            while _sent_count() < 5:  # then the sixth is under way, its acceptance 0.2 s off
                assert time.monotonic() < deadline, "the worker sent nothing"
                time.sleep(0.01)
            workers[0].kill()
            workers[0].wait()
            accepted = [message["Subject"] for message in mailbox.messages]
            db.session.expire_all()
            recorded = db.session.scalars(
                db.select(OutboxMail.subject).where(OutboxMail.sent_at.is_not(None))
            ).all()
            assert sorted(recorded) == sorted(accepted)  # each acceptance recorded at once
            assert len(accepted) < len(subjects)  # killed mid-batch

            workers.append(_start_worker(app, server.port, terminal))
            deadline = time.monotonic() + 30
            while len(mailbox.messages) < len(subjects):
                assert time.monotonic() < deadline, (tmp_path / "worker.txt").read_text()
                time.sleep(0.05)
            time.sleep(0.5)  # nothing more comes
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
        server.stop()
    received = [message["Subject"] for message in mailbox.messages]
    assert sorted(received) == sorted(subjects)  # every one, none twice
    assert received[: len(accepted)] == accepted
    db.session.expire_all()
    assert pending_count() == 0
