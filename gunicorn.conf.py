"""gunicorn's settings for the portal: `make run` starts `gunicorn -c gunicorn.conf.py wsgi:app`
(gunicorn also reads this file by itself when started in this folder). Options given on the
command line win over these; bench/pages.py gives its own workers and threads."""

import contextlib
import ctypes
import faulthandler
import os
import sys
import threading
import time

from gunicorn.workers.gthread import ThreadWorker

bind = f"127.0.0.1:{os.environ.get('PORT') or 5000}"
workers = 2
# Threads per worker (gunicorn's gthread worker when more than one). One on CPython 3.11: under
# load, threaded workers crashed there (SIGSEGV from a corrupted heap; in the interpreter or its
# own C modules, with no third-party extension loaded: bench/results/crash.md), never on 3.12.
threads = 1 if sys.version_info[:2] == (3, 11) else 4


class ThreadWorkerQuittingOnce(ThreadWorker):
    """gunicorn's threaded worker, quitting once however many stop signals reach it. Ctrl-C sends
    SIGINT to every process of the terminal's group, then the master sends its workers SIGQUIT.
    When the second landed while the first was inside the thread pool's shutdown, it entered
    shutdown again and waited for the lock the first held: the worker never exited and `make
    run` hung after Ctrl-C (python/cpython#121649 is the pool's side of it)."""

    quitting = False

    def handle_quit(self, sig, frame) -> None:
        if self.quitting:
            return  # the first signal's handler is stopping the worker
        self.quitting = True
        super().handle_quit(sig, frame)


worker_class = ThreadWorkerQuittingOnce if threads > 1 else "sync"
# gunicorn's most (8190 bytes, against 4094), so a long search reaches the portal, which
# searches its first 500 characters and says so, instead of a bare "URI Too Long".
limit_request_line = 8190
# One line per request on stdout; GUNICORN_ACCESS_LOG="" turns it off (load tests).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None

M_ARENA_MAX = -8  # glibc's mallopt() parameter


def post_fork(server, worker) -> None:
    """In each worker, before it loads the app and starts its threads."""
    # A crash in native code (a worker "sent SIGSEGV") leaves every thread's Python traceback
    # in the server's log instead of nothing.
    faulthandler.enable()
    if (glibc := _glibc()) is not None:
        limit_malloc_arenas(glibc)
        trim_freed_memory(glibc)


def _glibc() -> ctypes.CDLL | None:
    """The C library, where it is glibc (another allocator has neither tuning below)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        if libc.mallopt and libc.malloc_trim:
            return libc
    return None


def limit_malloc_arenas(libc: ctypes.CDLL, arenas: int = 2) -> None:
    """Let a worker's threads share two malloc arenas. glibc gives threads arenas of their own
    (up to eight per core), and memory freed in one arena serves only that arena, so a threaded
    worker grew towards the sum of its threads' peaks (member pages under load: 208 and 262 MB
    at the peak, against 184 and 183 MB with two arenas). Called before any thread starts."""
    libc.mallopt(M_ARENA_MAX, arenas)


def trim_freed_memory(libc: ctypes.CDLL, every_seconds: float = 5.0) -> None:
    """Hand memory freed inside the heap back to the system every few seconds. glibc returns
    only the free space at the top of its heap, so the gaps left by pages rendered and freed
    stay resident (16 MB of a worker's 175 after the benchmark's pages), and every peak builds
    on them. A trim takes about a millisecond."""

    def keep_trimming() -> None:
        while True:
            time.sleep(every_seconds)
            libc.malloc_trim(0)

    threading.Thread(target=keep_trimming, name="malloc-trim", daemon=True).start()
