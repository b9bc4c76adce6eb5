import time


def eventually(check, seconds: float = 10.0):
    """Wait until `check()` gives a true value (the indexing thread works after the response),
    and return it; fail the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {check}"
        time.sleep(0.02)
    return result
