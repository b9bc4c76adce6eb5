"""`flask insights report`: the product feedback report from the command line."""

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from werkzeug.datastructures import MultiDict

from portal.clock import utcnow
from portal.insights.filters import parse_filters
from portal.insights.reports import RENDERERS, build_report

insights_cli = AppGroup("insights", help="Insights and product feedback reports.")


def _day(_ctx, _param, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as error:
        raise click.BadParameter("use a date like 2026-01-31") from error


@insights_cli.command("report")
@click.option("--since", required=True, callback=_day, help="First day, YYYY-MM-DD.")
@click.option("--until", required=True, callback=_day, help="Last day, YYYY-MM-DD.")
@click.option("--area", help="Product area slug (default: all areas).")
@click.option("--plan", help="Customer plan slug (default: all plans).")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="md", show_default=True
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: standard output).",
)
def report_command(
    since: str, until: str, area: str | None, plan: str | None, fmt: str, output: Path | None
):
    """Write the product feedback report for a period as Markdown, CSV or HTML."""
    args = MultiDict({"period": "custom", "since": since, "until": until})
    if area:
        args["area"] = area
    if plan:
        args["plan"] = plan
    filters = parse_filters(args)
    if filters.errors:
        raise click.UsageError(" ".join(filters.errors.values()))
    report = build_report(filters, utcnow().replace(microsecond=0))
    text = RENDERERS[fmt](report)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output} ({len(report.sections)} sections).", err=True)
