"""Administration: people and roles, product areas, plans, brand (admins) and guidelines
(admins and community managers)."""

from flask import Blueprint, request
from flask_login import login_required

from portal.accounts.permissions import Permission, require

bp = Blueprint("admin", __name__, url_prefix="/admin")


# Pages a community manager keeps too; every other page here is the admins' alone.
COMMUNITY_PAGES = {"admin.index", "admin.guidelines"}


@bp.before_request
@login_required
def _admins_only():
    if request.endpoint in COMMUNITY_PAGES:
        require(Permission.MANAGE_COMMUNITY)
    else:
        require(Permission.ADMINISTER)


from portal.admin import views  # noqa: E402, F401  (routes register on import)
