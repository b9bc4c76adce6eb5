"""Browser tests: Playwright drives Debian's Chromium against a live portal on a loopback port.

Skipped, with a clear reason, when Chromium is not installed. A failing test leaves a screenshot
under tests/e2e/artifacts/ (git-ignored).
"""

import os
import shutil
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from portal import create_app
from tests.conftest import make_test_config

CHROMIUM = os.environ.get("PORTAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if not chromium_available():
                item.add_marker(
                    pytest.mark.skip(reason=f"browser tests skipped: no Chromium at {CHROMIUM}")
                )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def live_server(app):
    """The test's app served over HTTP on a free loopback port, in a background thread."""
    # The standard library's server, as gunicorn does, closes each response (running the work
    # queued for after it, such as indexing) as soon as it is written. Werkzeug's development
    # server first reads whatever the browser sends next on the connection, which held that
    # work back for longer than a test waits for it.
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    base_url = app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"  # mail links
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


__all__ = ["create_app", "make_test_config"]


def log_in(page, live_server: str, email: str) -> None:
    """Log in through the real form, as a person would."""
    from tests.factories import PASSWORD

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def log_in_as(page, live_server: str, user) -> None:
    """Log in through the form and wait for the welcome."""
    from playwright.sync_api import expect

    log_in(page, live_server, user.email)
    expect(page.get_by_text(f"Welcome back, {user.display_name}.")).to_be_visible()


def log_out(page) -> None:
    """Log out from the account menu, as a person would."""
    from playwright.sync_api import expect

    page.locator("summary.menu__button").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
