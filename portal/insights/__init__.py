"""Insights: the dashboard and product feedback reports built on community activity."""

from flask import Blueprint
from flask_login import login_required

from portal.accounts.permissions import Permission, require
from portal.security import allow_chart_styles

bp = Blueprint("insights", __name__, url_prefix="/insights")


@bp.before_request
@login_required
def _team_only():
    require(Permission.VIEW_INSIGHTS)


bp.after_request(allow_chart_styles)

from portal.insights import views  # noqa: E402, F401  (routes register on import)
