"""Community manager pages: people and roles, product areas, plans, brand and guidelines."""

from flask import Blueprint
from flask_login import login_required

from portal.accounts.permissions import Permission, require

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    require(Permission.ADMINISTER)


from portal.admin import views  # noqa: E402, F401  (routes register on import)
