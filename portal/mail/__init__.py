"""Mail: queued in the database in the writer's transaction, delivered by the mail worker;
members' mail preferences and one-click unsubscribe (views)."""

from flask import Blueprint

bp = Blueprint("mail", __name__)

from portal.mail import views  # noqa: E402, F401  (routes register on import)
