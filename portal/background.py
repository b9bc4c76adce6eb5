"""Work done after the response is sent (search indexing) is marked, so tools
that measure a request (statement counters in tests) can tell it apart from the request itself."""

import contextlib
from contextvars import ContextVar

_after_response: ContextVar[bool] = ContextVar("after_response", default=False)


@contextlib.contextmanager
def after_response_work():
    token = _after_response.set(True)
    try:
        yield
    finally:
        _after_response.reset(token)


def in_after_response_work() -> bool:
    return _after_response.get()
