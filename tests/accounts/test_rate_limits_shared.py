"""Rate limits hold exactly under `make run`, whose two gunicorn workers each counted alone
while counters lived in each process's memory."""

import concurrent.futures
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.conftest import BACKEND
from tests.running import make_run

pytestmark = pytest.mark.skipif(
    BACKEND != "sqlite", reason="the counters do not live in the portal's database"
)


def _wrong_login(base_url: str) -> int:
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = browser.open(f"{base_url}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    data = {"csrf_token": token, "email": "nobody@example.com", "password": "not the password"}
    try:
        with browser.open(f"{base_url}/login", urllib.parse.urlencode(data).encode(), timeout=30):
            return 200
    except urllib.error.HTTPError as error:
        return error.code


def test_login_limit_holds_across_make_runs_workers(tmp_path):
    # From fresh connections at once, as an attacker would send them: both workers serve.
    with (
        make_run(tmp_path / "instance") as portal,
        concurrent.futures.ThreadPoolExecutor(8) as pool,
    ):
        statuses = list(pool.map(lambda _: _wrong_login(portal.url), range(24)))
    assert statuses.count(429) == 14, statuses  # "10 per minute" lets exactly 10 through
    assert set(statuses) == {200, 429}
