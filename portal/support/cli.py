"""`flask support recount`: recompute counters and reputation from the rows."""

import time

import click
from flask.cli import AppGroup

from portal.extensions import db

support_cli = AppGroup("support", help="Support Q&A maintenance.")


@support_cli.command("recount")
@click.option("--check", is_flag=True, help="Only report drift; change nothing (exit 1 on drift).")
def recount_command(check: bool) -> None:
    """Recompute scores, answer and comment counts and reputation from the rows.

    Reports every stored value that differs from the count (expected: none) and corrects it,
    unless --check is given.
    """
    from portal.support.recount import recount

    started = time.perf_counter()
    drifts = recount(fix=not check)
    for drift in drifts:
        click.echo(f"drift: {drift}")
    elapsed = time.perf_counter() - started
    if not drifts:
        click.echo(f"No drift: every counter matches the rows ({elapsed:.1f}s).")
        return
    if check:
        db.session.rollback()
        raise click.ClickException(f"{len(drifts)} counters drifted; run without --check to fix.")
    db.session.commit()
    click.echo(f"Fixed {len(drifts)} drifted counters ({elapsed:.1f}s).")
