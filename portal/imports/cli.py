"""`flask import stackexchange DIR`."""

import time
from pathlib import Path

import click
from flask.cli import AppGroup
from slugify import slugify

from portal.imports.stackexchange import ImportFailure, StackExchangeImport, site_name
from portal.taxonomy.models import ProductArea
from portal.taxonomy.services import area_by_slug, save_area
from portal.writes import write

import_cli = AppGroup("import", help="Import an existing community.")


class RowsPerSecond:
    """A progress bar per file (bytes read), labelled with rows and rows per second."""

    def __init__(self):
        self.bar = None

    def __call__(self, label: str, total: int):
        self.close()
        self.bar = click.progressbar(length=total, label=label, show_eta=False, width=30)
        self.bar.__enter__()
        started = time.perf_counter()
        rows, unshown_bytes, shown_at = 0, 0, started

        def update(read_bytes: int, read_rows: int) -> None:
            nonlocal rows, unshown_bytes, shown_at
            rows += read_rows
            unshown_bytes += read_bytes
            now = time.perf_counter()
            if now - shown_at < 0.2 and read_bytes:  # redraw five times a second, and at the end
                return
            self.bar.label = f"{label} {rows:>8,} rows {rows / max(now - started, 1e-6):>8,.0f}/s"
            self.bar.update(unshown_bytes)
            unshown_bytes, shown_at = 0, now

        return update

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _area(slug: str | None, directory: Path) -> ProductArea:
    if slug:
        area = area_by_slug(slug)
        if area is None:
            raise click.BadParameter(
                f"there is no product area {slug!r}", param_hint="--product-area"
            )
        return area
    name = site_name(directory)
    area = area_by_slug(slugify(name, max_length=80))
    if area is None:
        area = write(
            lambda: save_area(None, name=name, slug=None, description=f"Imported from {name}.")
        )
    return area


@import_cli.command("stackexchange")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--product-area",
    "area_slug",
    help="File everything under this product area "
    "(default: one named after the site, created if needed).",
)
@click.option(
    "--ideas-from-tag", help="Questions with this tag become ideas (e.g. feature-request)."
)
@click.option("--no-index", is_flag=True, help="Do not bring the search index up to date.")
def stackexchange_command(directory: Path, area_slug, ideas_from_tag, no_index) -> None:
    """Import a Stack Exchange data dump folder (Posts.xml required; Users, Comments, PostLinks,
    Votes and Tags used when present). Safe to run again: what is there is skipped."""
    progress = RowsPerSecond()
    importer = StackExchangeImport(
        directory, _area(area_slug, directory), ideas_tag=ideas_from_tag, progress=progress
    )
    try:
        summary = importer.run()
    except ImportFailure as failure:
        progress.close()
        raise click.ClickException(
            f"{failure}\nNothing of the failing batch was written; fix the file and run the "
            "same command again to carry on."
        ) from failure
    progress.close()
    for line in summary.lines():
        click.echo(line)
    if not no_index:
        from portal.search.indexer import apply_pending

        started = time.perf_counter()
        result = apply_pending()
        click.echo(
            f"Search index: {result.documents} documents updated in "
            f"{time.perf_counter() - started:.1f}s."
        )
