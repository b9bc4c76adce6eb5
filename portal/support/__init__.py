from flask import Blueprint

bp = Blueprint("support", __name__)

from portal.support import home, views  # noqa: E402, F401  (routes and home section register)
