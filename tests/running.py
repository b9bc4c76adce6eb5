"""The portal as a newcomer runs it: `make run` (gunicorn, two workers) on a free loopback port,
with its own instance folder, so tests see what a person running it sees."""

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


@dataclass
class RunningPortal:
    url: str
    log: Path
    stopped_cleanly: bool = False  # every process of make run ended on the stop signal

    def output(self) -> str:
        """What `make run` printed so far (its terminal: stdout and stderr)."""
        return self.log.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def make_run(
    instance_dir: Path, timeout: float = 120, stop: int = signal.SIGTERM, **env: str
) -> Iterator[RunningPortal]:
    """`make run` until the block ends, then `stop` (SIGINT: Ctrl-C) to all its processes."""
    port = _free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "PYTEST_"))}
    clean.update(PORT=str(port), PORTAL_INSTANCE_DIR=str(instance_dir), **env)
    log = instance_dir.parent / f"make-run-{port}.log"
    instance_dir.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=PROJECT,
            env=clean,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its gunicorn and workers stop with it
        )
    portal = RunningPortal(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"make run exited {process.returncode}:\n{portal.output()}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(portal.url + "/guidelines", timeout=5).close()
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"make run did not answer in {timeout} s:\n{portal.output()}")
            time.sleep(0.3)
        yield portal
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, stop)
        try:
            process.wait(timeout=30)
            time.sleep(0.5)  # make is gone; give the rest of its process group a moment
            os.killpg(process.pid, 0)  # raises when none of them is left
        except ProcessLookupError:
            portal.stopped_cleanly = True
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Browser:
    """A cookie-keeping HTTP client that fills forms as a browser does (CSRF token included).
    Redirects are followed; `last_url` says where a request ended."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.last_url = ""
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, url: str, data: dict | None = None) -> tuple[int, str]:
        url = url if url.startswith("http") else self.base_url + url
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self._opener.open(url, body, timeout=60) as response:
                self.last_url = response.url
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            self.last_url = error.url
            return error.code, error.read().decode(errors="replace")

    def submit(self, path: str, fields: dict) -> tuple[int, str]:
        """Open the form at `path`, then post `fields` with the form's CSRF token."""
        _, form = self.open(path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
        return self.open(path, {"csrf_token": token.group(1) if token else "", **fields})
