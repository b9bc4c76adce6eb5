"""Static files: versioned names in the pages, served compressed (Brotli or gzip, as the browser
asks) by WhiteNoise and cached for a year; plotly.js among them."""

import gzip
import re
import shutil
from pathlib import Path

import brotli

from portal.assets import build
from tests.conftest import login

YEAR = "max-age=31536000"


def _static_url(page: str, name: str) -> str:
    stem, extension = name.rsplit(".", 1)
    found = re.search(rf'"(/static/{re.escape(stem)}\.[0-9a-f]{{12}}\.{extension})"', page)
    assert found, f"no versioned URL for {name} in the page"
    return found.group(1)


def test_pages_link_static_files_by_versioned_name(client, app):
    page = client.get("/").text
    for name in ("css/portal.css", "js/portal.js", "images/favicon.svg"):
        _static_url(page, name)
    assert '"/static/css/portal.css"' not in page


def test_static_file_is_served_compressed_as_asked_and_kept_a_year(client, app):
    url = _static_url(client.get("/").text, "css/portal.css")
    source = (Path(app.static_folder) / "css" / "portal.css").read_bytes()

    plain = client.get(url)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert plain.data == source and plain.mimetype == "text/css"
    cache = plain.headers["Cache-Control"]
    assert YEAR in cache and "public" in cache and "immutable" in cache
    assert "Accept-Encoding" in plain.headers["Vary"]
    assert plain.headers["X-Content-Type-Options"] == "nosniff"

    best = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert best.headers["Content-Encoding"] == "br"
    assert brotli.decompress(best.data) == source and len(best.data) < len(source) / 3
    assert YEAR in best.headers["Cache-Control"]

    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == source


def test_plotly_js_is_a_public_compressed_static_file(client, app, make_user):
    """plotly.js is a public library file, not a secret: anyone may fetch it (the insights
    page that uses it stays team-only), and it gets the same compression and caching."""
    login(client, make_user("product"))
    page = client.get("/insights").text
    url = re.search(r'data-plotly-src="(/static/vendor/plotly\.min\.[0-9a-f]{12}\.js)"', page)
    assert url, "the insights page names a versioned plotly.js"
    anonymous = app.test_client()
    response = anonymous.get(url.group(1), headers={"Accept-Encoding": "br"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    script = brotli.decompress(response.data)
    assert b"plotly.js" in script[:200]
    assert len(response.data) < len(script) / 4
    assert YEAR in response.headers["Cache-Control"]
    assert "/insights/plotly.min.js" not in page


def test_build_copies_each_file_once_under_its_content_hash(app, tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(Path(app.static_folder) / "css" / "portal.css", source / "portal.css")
    shutil.copy(Path(app.static_folder) / "images" / "favicon.svg", source / "favicon.svg")
    sources = {
        "css/portal.css": source / "portal.css",
        "images/favicon.svg": source / "favicon.svg",
    }
    target = tmp_path / "build"

    manifest, built = build(sources, target)
    assert sorted(built) == sorted(sources)
    hashed = manifest["css/portal.css"]
    assert re.fullmatch(r"css/portal\.[0-9a-f]{12}\.css", hashed)
    for suffix in ("", ".br", ".gz"):
        assert (target / (hashed + suffix)).is_file()
    assert build(sources, target) == (manifest, [])  # nothing to do the second time

    (source / "portal.css").write_text("body { color: black; }\n" * 50)
    changed, built = build(sources, target)
    assert built == ["css/portal.css"] and changed["css/portal.css"] != hashed
    assert (target / hashed).is_file()  # the old version stays for pages already out there
