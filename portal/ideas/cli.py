"""`flask ideas ...`: operator commands for the idea board."""

import click

from portal.extensions import db
from portal.ideas import bp
from portal.ideas.recount import broken_merges, counter_drift, fix_counters, repair_merges


@bp.cli.command("check-counters")
@click.option(
    "--fix",
    is_flag=True,
    help="Set drifting counters to the recount; point chained merges at their end and reopen "
    "one idea of each merge cycle.",
)
def check_counters(fix: bool) -> None:
    """Recount every idea's votes and comments and report counters that drifted, and report
    merged ideas whose target was itself merged (chains and cycles). Expect none."""
    broken = broken_merges()
    for line in broken.lines():
        click.echo(line)
    if not broken:
        click.echo("Every merged idea points at an open idea.")
    drift = counter_drift()
    for row in drift:
        click.echo(
            f"idea {row.idea_id}: votes {row.vote_count} stored, {row.votes_counted} counted; "
            f"comments {row.comment_count} stored, {row.comments_counted} counted"
        )
    if not drift:
        click.echo("All idea counters match a recount of their rows.")
    problems = []
    if broken:
        problems.append(f"{len(broken.cycles)} merge cycles, {len(broken.chains)} merge chains")
    if drift:
        problems.append(f"{len(drift)} ideas have drifting counters")
    if not problems:
        return
    if not fix:
        raise click.ClickException(f"{'; '.join(problems)}; rerun with --fix.")
    if broken:
        click.echo(f"Repaired the merges of {repair_merges(broken)} ideas.")
    if drift:
        click.echo(f"Fixed the counters of {fix_counters()} ideas.")
    db.session.commit()
