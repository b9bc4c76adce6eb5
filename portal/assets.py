"""Static files: compressed, under names that change with their content, cached for a year.

Each file of portal/static, and the library files pages load (plotly.js), is copied into
STATIC_BUILD_DIR under a name carrying a hash of its content (`css/portal.3f9a0c1b2d4e.css`),
with gzip and Brotli copies beside it made by WhiteNoise's compressor. WhiteNoise serves them in
front of Flask, picking the copy the browser accepts, and `url_for('static', ...)` gives the
hashed name, so a browser keeps a file until a new version of it gets a new name.

Copies are made once per content: `flask assets build` (which `make run` runs first) or any
start-up that finds one missing makes it, so a fresh clone needs no step. The folder belongs to
the checkout (files derived from code, not instance data): every worker, instance folder and
test run shares it, and a lock makes one process build while the others wait.
"""

import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from portal.security import CONTENT_SECURITY_POLICY

HASH_LENGTH = 12


class StaticFiles(WhiteNoise):
    # A year, as HTTP/1.1 caches were asked to hold at most (RFC 2616, 14.21); a hashed name
    # is never reused for other content, so the file never needs checking again.
    FOREVER = 365 * 24 * 3600


def vendor_files() -> dict[str, Path]:
    """Library files the pages load, served by the portal (never from a CDN): found without
    importing plotly, whose Python side is slow to import and not needed here."""
    plotly = Path(find_spec("plotly").origin).parent / "package_data" / "plotly.min.js"
    return {"vendor/plotly.min.js": plotly}


def source_files(app: Flask) -> dict[str, Path]:
    """Every file to serve, by its name under /static/."""
    root = Path(app.static_folder)
    own = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
    return {**own, **vendor_files()}


@lru_cache(maxsize=512)
def _digest(path: str, _mtime_ns: int, _size: int) -> str:
    """Kept per file version: an app is made per test, and plotly.js is large."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()[:HASH_LENGTH]


def hashed_name(name: str, path: Path) -> str:
    """`css/portal.css` -> `css/portal.<hash>.css` (the extension stays last for media types)."""
    stat = path.stat()
    digest = _digest(str(path), stat.st_mtime_ns, stat.st_size)
    stem, dot, extension = name.rpartition(".")
    return f"{stem}.{digest}.{extension}" if dot and "/" not in extension else f"{name}.{digest}"


@contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    with open(target.parent / f".{target.name}.lock", "w") as lock:  # beside: nothing to serve
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build_file(source: Path, destination: Path, work: Path, compressor: Compressor) -> None:
    """The copy and its .br and .gz, made in `work` and moved in; the copy last, so a file that
    is there always has its compressed versions."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    copy = work / destination.name
    shutil.copyfile(source, copy)
    made = compressor.compress(str(copy)) if compressor.should_compress(copy.name) else []
    for path in made:
        os.replace(path, destination.parent / Path(path).name)
    os.replace(copy, destination)


def build(sources: dict[str, Path], target: Path) -> tuple[dict[str, str], list[str]]:
    """Build what is missing in `target`: the names to serve (name -> hashed name) and the
    names built now."""
    manifest = {name: hashed_name(name, path) for name, path in sources.items()}

    def missing() -> list[str]:
        return [name for name, hashed in manifest.items() if not (target / hashed).is_file()]

    if not missing():
        return manifest, []
    target.mkdir(parents=True, exist_ok=True)
    # Work files go beside the folder, not in it: a process starting meanwhile serves the folder.
    with _build_lock(target), tempfile.TemporaryDirectory(dir=target.parent) as work:
        todo = missing()  # another process may have built them while this one waited
        compressor = Compressor(quiet=True)
        for name in todo:
            _build_file(sources[name], target / manifest[name], Path(work), compressor)
    return manifest, todo


def _static_headers(headers, _path: str, _url: str) -> None:
    # Flask's after_request headers do not reach files WhiteNoise serves: the ones that matter
    # for a file (a type never guessed; an SVG opened on its own runs no script).
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY


def register(app: Flask) -> None:
    """Build what is missing, version `url_for('static', ...)`, serve the build with WhiteNoise.

    With the debugger on, the portal's own files are left to Flask, as they are edited."""
    target = Path(app.config["STATIC_BUILD_DIR"])
    sources = vendor_files() if app.debug else source_files(app)
    started = time.monotonic()
    manifest, built = build(sources, target)
    if built:
        app.logger.warning(
            "Compressed %d static files into %s in %.0f s (once per version).",
            len(built),
            target,
            time.monotonic() - started,
        )
    app.extensions["static_files"] = manifest

    @app.url_defaults
    def versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and (hashed := manifest.get(values.get("filename"))):
            values["filename"] = hashed

    app.wsgi_app = StaticFiles(
        app.wsgi_app,
        root=str(target),
        prefix=app.static_url_path,
        immutable_file_test=lambda _path, _url: True,  # every name here carries its content hash
        allow_all_origins=False,
        add_headers_function=_static_headers,
    )


assets_cli = AppGroup("assets", help="Static files: versioned and compressed.")


@assets_cli.command("build")
def build_command() -> None:
    """Copy every static file under a versioned name with gzip and Brotli copies (once per
    content; the app also does it at start-up when one is missing)."""
    started = time.monotonic()
    target = Path(current_app.config["STATIC_BUILD_DIR"])
    manifest, built = build(source_files(current_app), target)
    click.echo(
        f"{len(manifest)} static files in {target}: {len(built)} built now, "
        f"{len(manifest) - len(built)} already there ({time.monotonic() - started:.1f} s)."
    )
