"""`flask ideas ...`: operator commands for the idea board."""

import click

from portal.extensions import db
from portal.ideas import bp
from portal.ideas.services import counter_drift, fix_counters


@bp.cli.command("check-counters")
@click.option("--fix", is_flag=True, help="Set drifting counters to the recount.")
def check_counters(fix: bool) -> None:
    """Recount every idea's votes and comments and report counters that drifted (expect none)."""
    drift = counter_drift()
    for row in drift:
        click.echo(
            f"idea {row.idea_id}: votes {row.vote_count} stored, {row.votes_counted} counted; "
            f"comments {row.comment_count} stored, {row.comments_counted} counted"
        )
    if not drift:
        click.echo("All idea counters match a recount of their rows.")
        return
    if not fix:
        raise click.ClickException(f"{len(drift)} ideas have drifting counters; rerun with --fix.")
    changed = fix_counters()
    db.session.commit()
    click.echo(f"Fixed the counters of {changed} ideas.")
