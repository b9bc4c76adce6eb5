"""Rate limits hold exactly under `make run`, whose two gunicorn workers each counted alone
while counters lived in each process's memory."""

import concurrent.futures

import pytest

from tests.conftest import BACKEND
from tests.running import Browser, make_run

pytestmark = pytest.mark.skipif(
    BACKEND != "sqlite", reason="the counters do not live in the portal's database"
)


def _wrong_login(base_url: str) -> int:
    fields = {"email": "nobody@example.com", "password": "not the password"}
    return Browser(base_url).submit("/login", fields)[0]


def test_login_limit_holds_across_make_runs_workers(tmp_path):
    # From fresh connections at once, as an attacker would send them: both workers serve.
    with (
        make_run(tmp_path / "instance") as portal,
        concurrent.futures.ThreadPoolExecutor(8) as pool,
    ):
        statuses = list(pool.map(lambda _: _wrong_login(portal.url), range(24)))
    assert statuses.count(429) == 14, statuses  # "10 per minute" lets exactly 10 through
    assert set(statuses) == {200, 429}
