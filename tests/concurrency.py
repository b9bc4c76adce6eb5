"""Run work in several threads at once, each with its own app context, session and connection."""

import threading
from collections.abc import Callable

from portal.extensions import db


def run_concurrently(app, work: Callable[[int], None], threads: int = 8) -> list[BaseException]:
    """Call work(i) for i in range(threads) at the same moment; return the errors raised.

    Each call runs in a fresh app context, so it gets its own database session and connection,
    and commits or rolls back on its own, as concurrent requests do. Pass ids into `work`, never
    ORM objects loaded by the test's session: touching their expired attributes from a thread
    would use the test's session from several threads at once.
    """
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def runner(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                work(index)
            except BaseException as error:  # collected and re-checked by the test
                db.session.rollback()
                with lock:
                    errors.append(error)
            finally:
                db.session.remove()

    pool = [threading.Thread(target=runner, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    return errors
