"""Fan-out benchmark: a status change on an idea with 20,000 voters, through the real view.

Builds a fresh database with bulk inserts: 20,000 members who all vote for one idea (its author
among them; 2,000 of them follow it too) and a product manager. The product manager, signed in
through the test client, changes the idea's status several times by posting the status form
(CSRF token read from the idea page, as a browser does). Each request is timed (target: under
200 ms); then the worker's pass (`flask mail send-queued`: the pending fan-out, then any mail)
is timed, and each change must leave exactly one notification for each of the 20,000. The
request and the pass also record their CPU time in this process (SQLite works in-process;
PostgreSQL's work is in its server), which a busy machine inflates less than wall time.

SQLite: a new file in a temporary folder. PostgreSQL (`--database-url`): a schema of its own,
`bench_fanout`, made anew and dropped after. Results are merged into bench/results/fanout.json
(one entry per backend and label).

Usage:
    .venv/bin/python bench/fanout.py [--database-url postgresql://postgres@127.0.0.1/test]
        [--voters 20000] [--label after]
"""

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from scratch import drop_schema, scratch_app  # bench/scratch.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "fanout.json"
PG_SCHEMA = "bench_fanout"
TARGET_MS = 200
CHANGES = ["under_review", "planned", "in_progress", "shipped", "planned"]
sys.path.insert(0, str(ROOT))  # run as a script: the portal package is next door


def build(voters: int):
    """The idea, its voters and followers, and the product manager, in bulk."""
    from sqlalchemy import insert, select, update

    from portal.accounts.models import Role, User
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.ideas.models import Idea, IdeaFollower, IdeaVote
    from portal.ideas.services import suggest_idea

    now = utcnow()
    people = [
        {
            "email": f"voter{n}@example.com",
            "display_name": f"Voter {n}",
            "password_hash": "!",
            "role": Role.MEMBER,
            "guidelines_accepted_at": now,
            "email_confirmed_at": now,
        }
        for n in range(voters)
    ]
    people[0] |= {"email": "product@example.com", "display_name": "Product", "role": Role.PRODUCT}
    people.append({**people[1], "email": "author@example.com", "display_name": "Author"})
    db.session.execute(insert(User), people)
    product = db.session.scalar(select(User).where(User.email == "product@example.com"))
    author = db.session.scalar(select(User).where(User.email == "author@example.com"))
    idea = suggest_idea(author, title="Export everything as CSV", body="Please.", area=None)
    db.session.flush()
    others = db.session.scalars(
        select(User.id).where(User.id.not_in([product.id, author.id])).order_by(User.id)
    ).all()[: voters - 1]
    db.session.execute(
        insert(IdeaVote),
        [{"idea_id": idea.id, "user_id": uid, "created_at": now} for uid in others],
    )
    db.session.execute(
        insert(IdeaFollower),
        [{"idea_id": idea.id, "user_id": uid, "created_at": now} for uid in others[::10]],
    )
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(vote_count=voters))
    db.session.commit()
    return idea.id, product.id


def sign_in(client, user_id: int) -> None:
    from portal.accounts.models import User
    from portal.accounts.sessions import start_session
    from portal.extensions import db

    key = start_session(db.session.get(User, user_id), "bench")
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True


def run(args) -> dict:
    from sqlalchemy import func, select

    with tempfile.TemporaryDirectory() as folder:
        app = scratch_app(
            args.database_url,
            Path(folder),
            PG_SCHEMA,
            SEARCH_DIR=str(Path(folder) / "search"),
            UPLOAD_DIR=str(Path(folder) / "uploads"),
            RATELIMIT_ENABLED=False,
            MAIL_URL="console://",
        )
        from portal.extensions import db  # the app first: feature packages import each other
        from portal.mail.models import OutboxMail
        from portal.mail.services import deliver_pending
        from portal.notifications.models import Notification
        from portal.notifications.services import write_pending

        with app.app_context():
            db.create_all()
            backend = db.engine.dialect.name
            started = time.perf_counter()
            idea_id, product_id = build(args.voters)
            build_seconds = time.perf_counter() - started
            client = app.test_client()
            sign_in(client, product_id)
        timings, cpu, worker, worker_cpu, sent = [], [], [], [], 0
        for status in CHANGES:  # requests outside the bench's app context, as in a server
            page = client.get(f"/ideas/{idea_id}").get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            form = {"csrf_token": token, "status-status": status, "status-note": "Soon."}
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.post(f"/ideas/{idea_id}/status", data=form)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            response.close()  # after-response work (search indexing) is not the request's
            assert response.status_code == 302, response.status_code
            with app.app_context():
                started, started_cpu = time.perf_counter(), time.process_time()
                while write_pending():
                    pass
                while (batch := deliver_pending()) != (0, 0):
                    sent += batch[0]
                worker.append((time.perf_counter() - started) * 1000)
                worker_cpu.append((time.process_time() - started_cpu) * 1000)
                notified = db.session.scalar(
                    select(func.count(func.distinct(Notification.user_id))).where(
                        Notification.kind == "idea.status_changed",
                        Notification.created_at
                        == select(func.max(Notification.created_at)).scalar_subquery(),
                    )
                )
            assert notified == args.voters, (status, notified)
        with app.app_context():
            total = db.session.scalar(select(func.count(Notification.id)))
            assert total == args.voters * len(CHANGES), total
            queued = db.session.scalar(select(func.count(OutboxMail.id)))
            db.session.remove()
            db.engine.dispose()
        if args.database_url:
            drop_schema(args.database_url, PG_SCHEMA)
    return {
        "backend": backend,
        "voters": args.voters,
        "build_seconds": round(build_seconds, 1),
        "status_change_ms": [round(t, 1) for t in timings],
        "status_change_cpu_ms": [round(t, 1) for t in cpu],
        "median_ms": round(statistics.median(timings), 1),
        "max_ms": round(max(timings), 1),
        "within_target": max(timings) < TARGET_MS,
        "notifications_per_change": args.voters,
        "worker_pass_ms": [round(t, 1) for t in worker],
        "worker_pass_cpu_ms": [round(t, 1) for t in worker_cpu],
        "worker_median_ms": round(statistics.median(worker), 1),
        "mail_queued": queued,
        "mail_sent": sent,
        "load_average": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL (a schema of its own); else SQLite")
    parser.add_argument("--voters", type=int, default=20000)
    parser.add_argument("--label", default="after")
    args = parser.parse_args()
    result = run(args)
    print(
        f"{result['backend']}: {result['voters']:,} voters, status change "
        f"median {result['median_ms']} ms, max {result['max_ms']} ms (target < {TARGET_MS}); "
        f"{result['notifications_per_change']:,} notifications per change, written by the "
        f"worker in {result['worker_median_ms']} ms (median); {result['mail_queued']} mail queued"
    )
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results |= {
        "target_ms_per_status_change": TARGET_MS,
        "method": "Flask test client in process; the product manager posts the status form "
        f"{len(CHANGES)} times ({' -> '.join(CHANGES)}); each request timed without "
        "after-response work, then the worker's pass; every change checked for one "
        "notification per voter",
    }
    results.setdefault("runs", {})[f"{result['backend']}/{args.label}"] = result
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
