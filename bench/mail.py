"""Mail benchmark: what the issue "Email that brings people back" asks of notification mail.

1. Status change (a fresh database built in bulk, as bench/fanout.py does): a product manager
   changes the status of an idea with 20,000 voters through the real view (target: each
   request under 200 ms). Then the worker, as `flask mail worker` runs it: the fan-out is
   written, each notification decided (20,000 mails queued), and every mail delivered to a
   real SMTP server on loopback (aiosmtpd in a process of its own, keeping nothing): mails per
   second, and the time from the change to the last mail accepted.
2. Weekly digests on the generated community (bench/generated.py: 50,000 members, 100,000
   questions; PostgreSQL database bench_pages_full, shared with bench/pages.py): the time to
   decide every member's digest for the community's last week (target: 2 minutes on
   PostgreSQL), and how many were queued. What the run writes is deleted afterwards.

Results are merged into bench/results/mail.json (one entry per backend and part).

Usage:
    .venv/bin/python bench/mail.py [--database-url postgresql://postgres@127.0.0.1/test]
        [--voters 20000] [--part status|digests|both] [--digest-backend postgresql|sqlite]
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import generated  # bench/generated.py, beside this script
from fanout import build, sign_in
from scratch import drop_schema, scratch_app

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "mail.json"
PG_SCHEMA = "bench_mail"
STATUS_TARGET_MS = 200
DIGEST_TARGET_S = 120
FULL = ["--users", "50000", "--questions", "100000", "--answers-per-question", "3"]
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_server() -> tuple[subprocess.Popen, int]:
    """aiosmtpd in its own process, accepting and dropping every message."""
    port = _free_port()
    command = ["-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [sys.executable, *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("aiosmtpd did not start")


def status_change(args) -> dict:
    from sqlalchemy import func, select

    server, port = smtp_server()
    try:
        with tempfile.TemporaryDirectory() as folder:
            app = scratch_app(
                args.database_url,
                Path(folder),
                PG_SCHEMA,
                SEARCH_DIR=str(Path(folder) / "search"),
                UPLOAD_DIR=str(Path(folder) / "uploads"),
                RATELIMIT_ENABLED=False,
                MAIL_URL=f"smtp://127.0.0.1:{port}",
            )
            from portal.extensions import db
            from portal.mail import notices
            from portal.mail.models import OutboxMail
            from portal.mail.services import deliver_pending
            from portal.notifications.services import write_pending

            with app.app_context():
                db.create_all()
                backend = db.engine.dialect.name
                idea_id, product_id = build(args.voters)
                client = app.test_client()
                sign_in(client, product_id)
            page = client.get(f"/ideas/{idea_id}").get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            form = {"csrf_token": token, "status-status": "planned", "status-note": "Soon."}
            started = time.perf_counter()
            response = client.post(f"/ideas/{idea_id}/status", data=form)
            request_ms = (time.perf_counter() - started) * 1000
            response.close()
            assert response.status_code == 302, response.status_code
            with app.app_context():
                started = time.perf_counter()
                while write_pending():
                    pass
                fanout_s = time.perf_counter() - started
                while notices.mail_notifications():
                    pass
                decided_s = time.perf_counter() - started - fanout_s
                queued = db.session.scalar(select(func.count(OutboxMail.id)))
                sending = time.perf_counter()
                sent = failed = 0
                while (batch := deliver_pending()) != (0, 0):
                    sent, failed = sent + batch[0], failed + batch[1]
                delivery_s = time.perf_counter() - sending
                total_s = time.perf_counter() - started
                db.session.remove()
                db.engine.dispose()
            if args.database_url:
                drop_schema(args.database_url, PG_SCHEMA)
    finally:
        server.kill()
        server.wait()
    return {
        "backend": backend,
        "voters": args.voters,
        "status_change_ms": round(request_ms, 1),
        "within_target": request_ms < STATUS_TARGET_MS,
        "fanout_written_s": round(fanout_s, 1),
        "notifications_decided_s": round(decided_s, 1),
        "mail_queued": queued,
        "mail_sent": sent,
        "mail_failed": failed,
        "delivery_s": round(delivery_s, 1),
        "mails_per_second": round(sent / delivery_s, 1) if delivery_s else None,
        "change_to_last_mail_s": round(total_s, 1),
        "load_average": round(os.getloadavg()[0], 1),
    }


def digests(args) -> dict:
    """Every member's weekly digest on the generated community, then the run's rows removed."""
    env = generated.environment(
        f"pages-{args.digest_backend}-full", args.digest_backend, "bench_pages_full"
    )
    generated.generate_once(env, FULL)
    os.environ.update({k: v for k, v in env.items() if k.startswith("PORTAL_")})
    from portal import create_app

    app = create_app()
    from sqlalchemy import delete, func, select

    from portal.accounts.models import User
    from portal.extensions import db
    from portal.mail.digests import period_before, send_digests
    from portal.mail.models import DigestSend, OutboxMail
    from portal.notifications.preferences import Delivery
    from portal.support.models import Question

    with app.app_context(), app.test_request_context():
        # The generated community's last week: the week before its newest question's Monday.
        newest = db.session.scalar(select(func.max(Question.created_at)))
        now = newest + timedelta(days=7)
        period = period_before(Delivery.WEEKLY, now)
        first_mail = db.session.scalar(select(func.max(OutboxMail.id))) or 0
        db.session.execute(delete(DigestSend).where(DigestSend.period == period.key))
        db.session.commit()
        members = db.session.scalar(select(func.count(User.id)))
        started = time.perf_counter()
        decided = batches = 0
        while count := send_digests(Delivery.WEEKLY, now):
            decided += count
            batches += 1
            if batches % 10 == 0:
                print(f"  {decided:,} members decided, {time.perf_counter() - started:.0f} s")
        seconds = time.perf_counter() - started
        queued = db.session.scalar(
            select(func.count(OutboxMail.id)).where(
                OutboxMail.id > first_mail, OutboxMail.kind == "summary"
            )
        )
        sample = db.session.scalar(
            select(OutboxMail.body)
            .where(OutboxMail.id > first_mail, OutboxMail.kind == "summary")
            .limit(1)
        )
        db.session.execute(delete(OutboxMail).where(OutboxMail.id > first_mail))
        db.session.execute(delete(DigestSend).where(DigestSend.period == period.key))
        db.session.commit()
        backend = db.engine.dialect.name
    return {
        "backend": backend,
        "members": members,
        "members_decided": decided,
        "digests_queued": queued,
        "period": period.key,
        "seconds": round(seconds, 1),
        "members_per_second": round(decided / seconds, 1),
        "within_target": seconds <= DIGEST_TARGET_S,
        "sample_lines": len((sample or "").splitlines()),
        "load_average": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL for part 1 (a schema of its own)")
    parser.add_argument("--voters", type=int, default=20000)
    parser.add_argument("--part", choices=["status", "digests", "both"], default="both")
    parser.add_argument("--digest-backend", choices=["postgresql", "sqlite"], default="postgresql")
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    runs = results.setdefault("runs", {})
    if args.part in ("status", "both"):
        result = status_change(args)
        print(
            f"{result['backend']}: status change {result['status_change_ms']} ms "
            f"(target < {STATUS_TARGET_MS}); {result['mail_queued']:,} mails queued, "
            f"{result['mail_sent']:,} sent at {result['mails_per_second']} mails/s; last mail "
            f"{result['change_to_last_mail_s']} s after the change"
        )
        runs[f"{result['backend']}/status"] = result
    if args.part in ("digests", "both"):
        result = digests(args)
        print(
            f"{result['backend']}: weekly digests for {result['members_decided']:,} of "
            f"{result['members']:,} members decided in {result['seconds']} s "
            f"(target <= {DIGEST_TARGET_S}); {result['digests_queued']:,} queued"
        )
        runs[f"{result['backend']}/digests"] = result
    results["targets"] = {
        "status_change_ms": STATUS_TARGET_MS,
        "weekly_digests_seconds_postgresql": DIGEST_TARGET_S,
    }
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
