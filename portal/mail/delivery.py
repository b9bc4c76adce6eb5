"""After a response that queued mail is sent, deliver it (the request never waits for SMTP).

Retries: each process also looks for due messages at most once a minute, and
`flask mail send` delivers whatever is due.
"""

import time

from flask import Flask, g

from portal.background import after_response_work
from portal.extensions import db
from portal.mail.services import deliver_pending

RETRY_CHECK_SECONDS = 60


def register(app: Flask) -> None:
    state = {"last_check": 0.0}

    def deliver() -> None:
        with app.app_context(), after_response_work():
            try:
                deliver_pending()
            finally:
                db.session.remove()

    @app.after_request
    def deliver_after_response(response):
        now = time.monotonic()
        if g.pop("mail_queued", False) or now - state["last_check"] > RETRY_CHECK_SECONDS:
            state["last_check"] = now
            response.call_on_close(deliver)
        return response
