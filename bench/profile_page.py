"""Time one page in process (no HTTP server): statements, wall and CPU milliseconds per request,
and optionally a cProfile of it. For finding what a page spends its time on before and after a
change; bench/pages.py gives the figures under load.

Usage: PORTAL_INSTANCE_DIR=bench/.data/pages-sqlite-full .venv/bin/python bench/profile_page.py
           [--as member@example.com] [--repeat 20] [--profile] PATH [PATH...]
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--as", dest="email", default=None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true", help="print each statement of a request")
    args = parser.parse_args()
    os.environ.setdefault("PORTAL_RATELIMIT_ENABLED", "0")

    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    app = create_app({"SEARCH_SYNC_AFTER_REQUEST": False})
    statements = []
    with app.app_context():
        event.listen(
            db.engine, "before_cursor_execute", lambda c, cur, sql, *a: statements.append(sql)
        )
    client = app.test_client()
    if args.email:
        from portal.accounts.models import User

        with app.app_context():
            user = db.session.execute(db.select(User).filter_by(email=args.email)).scalar_one()
            from portal.accounts.sessions import start_session

            user_id = start_session(user, "bench/profile_page.py")
            db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
    print(f"{'path':50} {'status':>6} {'stmts':>6} {'wall ms':>8} {'cpu ms':>8}")
    for path in args.paths:
        client.get(path)  # warm
        statements.clear()
        response = client.get(path)
        count = len(statements)
        if args.sql:
            print("\n".join(" ".join(sql.split())[:300] for sql in statements))
        wall = cpu = 0.0
        profiler = cProfile.Profile() if args.profile else None
        for _ in range(args.repeat):
            w, c = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            client.get(path)
            if profiler:
                profiler.disable()
            wall += time.perf_counter() - w
            cpu += time.process_time() - c
        print(
            f"{path[:50]:50} {response.status_code:6d} {count:6d} "
            f"{wall / args.repeat * 1000:8.1f} {cpu / args.repeat * 1000:8.1f}"
        )
        if profiler:
            pstats.Stats(profiler).sort_stats(
                os.environ.get("PROFILE_SORT", "cumulative")
            ).print_stats(35)


if __name__ == "__main__":
    main()
