"""A newcomer's first minutes under `make run`: register, find the confirmation link in the
terminal (console mail, printed by the mail worker make run starts), confirm, log in and ask,
then Ctrl-C. Through make run's own processes, because the test client once passed while the
link never appeared on the terminal."""

import re
import signal
import time

import pytest

from tests.conftest import BACKEND
from tests.running import Browser, make_run

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="make run serves SQLite")

PASSWORD = "correct horse battery"


def _printed_link(portal, pattern: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := re.search(pattern, portal.output()):
            return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no {pattern} on make run's terminal:\n{portal.output()[-3000:]}")


def test_register_confirm_from_the_terminal_and_ask(tmp_path):
    with make_run(tmp_path / "instance", stop=signal.SIGINT) as portal:
        browser = Browser(portal.url)
        # A pasted error log longer than gunicorn's default request line (4,094 bytes) gets
        # the portal's page, which says what it searched.
        status, page = browser.open("/search?q=" + "timeout+" * 700)
        assert status == 200 and "we searched its first 500 characters" in page
        status, page = browser.submit(
            "/register",
            {
                "display_name": "New Person",
                "email": "new.person@example.com",
                "password": PASSWORD,
                "accept_guidelines": "y",
            },
        )
        assert status == 200 and "/register/check-email" in browser.last_url, page[-2000:]

        link = _printed_link(portal, rf"{re.escape(portal.url)}/confirm/[\w.\-]+")
        assert "Mail (console://, not sent)" in portal.output()
        assert "To: new.person@example.com" in portal.output()

        status, _ = browser.open(link)
        assert status == 200
        status, _ = browser.submit(
            "/login", {"email": "new.person@example.com", "password": PASSWORD}
        )
        assert status == 200 and "/login" not in browser.last_url

        _, form = browser.open("/questions/ask")
        area = re.search(r'<option value="([a-z0-9-]+)"', form).group(1)
        status, page = browser.submit(
            "/questions/ask",
            {
                "title": "How do I export my data from the portal?",
                "body": "I would like a copy of everything in my account, as a file.",
                "area": area,
                "tags": "",
            },
        )
        assert status == 200 and re.search(r"/questions/\d+", browser.last_url), page[-2000:]
        assert "How do I export my data from the portal?" in page
    assert portal.stopped_cleanly, portal.output()[-3000:]
    assert "Mail worker stopped" in portal.output()
