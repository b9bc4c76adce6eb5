"""The SQLite store behind rate limits: one count however many processes open the file."""

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from portal.ratelimits import SQLiteStorage


def test_two_openers_of_one_file_share_a_count(tmp_path):
    uri = f"sqlite:///{tmp_path / 'ratelimits.db'}"
    first, second = storage_from_string(uri), storage_from_string(uri)
    assert isinstance(first, SQLiteStorage)
    limit = RateLimitItemPerMinute(3)
    hits = [FixedWindowRateLimiter(s).hit(limit, "login", "1.2.3.4") for s in (first, second) * 3]
    assert hits == [True, True, True, False, False, False]
    assert second.get(limit.key_for("login", "1.2.3.4")) == 6  # refused hits count too


def test_an_ended_window_starts_again(tmp_path):
    store = SQLiteStorage(f"sqlite:///{tmp_path / 'ratelimits.db'}")
    assert store.incr("k", expiry=60) == 1 and store.incr("k", expiry=60) == 2
    assert store.incr("ended", expiry=0) == 1
    assert store.incr("ended", expiry=0) == 1  # its window had already ended
    assert store.get("ended") == 0
    store.clear("k")
    assert store.get("k") == 0 and store.check()
