import contextlib
import ctypes
import faulthandler
import threading
import time

from portal import create_app

M_ARENA_MAX = -8  # glibc's mallopt() parameter


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Let a worker's threads share two malloc arenas. glibc gives threads arenas of their own
    (up to eight per core), and memory freed in one arena serves only that arena, so a threaded
    worker grew towards the sum of its threads' peaks (member pages under load: 208 and 262 MB
    at the peak, against 184 and 183 MB with two arenas). Called before any thread starts."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: another allocator
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas)


def trim_freed_memory(every_seconds: float = 5.0) -> threading.Thread | None:
    """Hand memory freed inside the heap back to the system every few seconds. glibc returns
    only the free space at the top of its heap, so the gaps left by pages rendered and freed
    stay resident (16 MB of a worker's 175 after the benchmark's pages), and every peak builds
    on them. A trim takes about a millisecond."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None

    def keep_trimming() -> None:
        while True:
            time.sleep(every_seconds)
            trim(0)

    thread = threading.Thread(target=keep_trimming, name="malloc-trim", daemon=True)
    thread.start()
    return thread


limit_malloc_arenas()
trim_freed_memory()

# A crash in native code (a worker "sent SIGSEGV") leaves every thread's Python traceback in the
# server's log instead of nothing.
faulthandler.enable()

app = create_app()
