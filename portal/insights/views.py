from flask import Response, abort, render_template, request

from portal.accounts.services import all_plans
from portal.clock import utcnow
from portal.csv_export import csv_text
from portal.insights import bp
from portal.insights.dashboard import dashboard_for
from portal.insights.filters import PERIODS, parse_filters
from portal.insights.panels import PANELS, SECTIONS
from portal.insights.reports import MIMETYPES, RENDERERS, build_report, to_html
from portal.taxonomy.services import all_areas


@bp.get("")
def dashboard():
    filters = parse_filters(request.args)
    return render_template(
        "insights/dashboard.html",
        filters=filters,
        periods=PERIODS,
        areas=all_areas(),
        plans=all_plans(),
        dashboard=dashboard_for(filters),
        sections=SECTIONS,
    ), (400 if filters.errors else 200)


@bp.get("/data/<key>.csv")
def panel_csv(key: str):
    build = PANELS.get(key)
    if build is None:
        abort(404)
    filters = parse_filters(request.args)
    panel = build(filters)
    filename = f"{key}-{filters.since.isoformat()}-{filters.until.isoformat()}.csv"
    return Response(
        csv_text([panel.columns, *panel.rows]),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/report")
def report():
    """The product feedback report for a period; `format=md|csv|html&download=1` downloads
    it (the HTML file carries its styles, to be read or printed offline)."""
    args = request.args.copy()
    if "since" in args or "until" in args:
        args.setdefault("period", "custom")
    filters = parse_filters(args)
    fmt = request.args.get("format", "html")
    if fmt not in RENDERERS:
        abort(400, description="Choose format=html, md or csv.")
    built = build_report(filters, utcnow().replace(microsecond=0))
    if fmt == "html" and not request.args.get("download"):
        return to_html(built), (400 if filters.errors else 200)
    return Response(
        RENDERERS[fmt](built),
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{built.filename}.{fmt}"'},
    )
