"""Images from other sites are not loaded (a tracking pixel tells its host who read a post):
Markdown shows them as links, posts stored before the rule are rewritten by migration 0012,
and the Content-Security-Policy allows images from this site only."""

from html.parser import HTMLParser

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from portal import create_app
from portal.database import bind_migrations
from portal.extensions import db
from portal.markdown import render_markdown, sanitize_html
from tests.conftest import BACKEND, make_test_config
from tests.factories import make_question


def images(html: str) -> list[str]:
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                found.append(dict(attrs).get("src"))

    Collector().feed(html)
    return found


def test_a_remote_image_becomes_a_link_naming_its_host():
    html = render_markdown("Look: ![the dashboard](https://tracker.example/pixel.gif?u=1)")
    assert images(html) == []
    assert (
        '<a href="https://tracker.example/pixel.gif?u=1" rel="nofollow ugc noopener">'
        "image: the dashboard (tracker.example)</a>"
    ) in html


@pytest.mark.parametrize(
    "src",
    [
        "//tracker.example/p.gif",
        "/\\tracker.example/p.gif",
        "\\\\tracker.example\\p.gif",
        "/\t/tracker.example/p.gif",
        "http://tracker.example/p.gif",
        "HTTPS://TRACKER.EXAMPLE/p.gif",
    ],
)
def test_urls_a_browser_reads_as_remote_are_remote(src):
    """As imported HTML gives them (Markdown percent-encodes a backslash)."""
    html = sanitize_html(f'<p><img src="{src}" alt="x"></p>')
    assert images(html) == [], html
    assert "image: x (tracker.example)</a>" in html


def test_images_on_our_site_stay_images():
    html = render_markdown("![logo](/static/images/favicon.svg) ![chart](charts/a.png)")
    assert images(html) == ["/static/images/favicon.svg", "charts/a.png"]


def test_a_remote_image_inside_a_link_becomes_its_text():
    html = render_markdown("[![build](https://badges.example/b.svg)](https://ci.example/run)")
    assert images(html) == []
    assert (
        '<a href="https://ci.example/run" rel="nofollow ugc noopener">'
        "image: build (badges.example)</a>"
    ) in html


def test_raw_html_images_and_broken_urls_are_handled():
    html = sanitize_html('<p><img src="http://[broken/x.png" alt="a"><img alt="no source"></p>')
    assert images(html) == [] and "image: a" in html and "image: no source" in html


def test_a_question_page_shows_the_link_not_the_image(client):
    question = make_question(body="Screenshot: ![error](https://tracker.example/p.png)")
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "image: error (tracker.example)" in page
    assert "https://tracker.example/p.png" not in images(page)


def test_the_policy_allows_images_from_this_site_only(client, make_user):
    from tests.conftest import login

    for path in ("/", "/insights"):
        if path == "/insights":
            login(client, make_user("product"))
        policy = client.get(path).headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["img-src"] == "'self' data:", path


def test_migration_rewrites_posts_stored_before(tmp_path, database_url):
    """Upgrade a database to 0011, store HTML as it was rendered then, upgrade to head."""
    options = {}
    if BACKEND == "postgresql":
        url = database_url
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS remote_images CASCADE"))
            conn.execute(text("CREATE SCHEMA remote_images"))
        connect_args = {"options": "-csearch_path=remote_images"}
        options = {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": connect_args}}
    else:
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app(make_test_config(url, tmp_path / "instance", **options))
    bind_migrations(app)
    old = (
        '<p><img src="https://tracker.example/p.gif" alt="pixel"> and '
        '<img src="/static/images/favicon.svg" alt="ours"></p>'
    )
    try:
        with app.app_context():
            upgrade(revision="0011_voter_and_area_indexes")
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO site_settings (id, community_name, tagline, primary_color,"
                        " guidelines_markdown, guidelines_html, updated_at)"
                        " VALUES (1, 'C', 't', '#2457c5', '', :html, CURRENT_TIMESTAMP)"
                    ),
                    {"html": old},
                )
            upgrade()
            with db.engine.connect() as conn:
                stored = conn.execute(text("SELECT guidelines_html FROM site_settings")).scalar()
            db.engine.dispose()
    finally:
        if BACKEND == "postgresql":
            with admin.begin() as conn:
                conn.execute(text("DROP SCHEMA remote_images CASCADE"))
            admin.dispose()
    assert images(stored) == ["/static/images/favicon.svg"]
    assert "image: pixel (tracker.example)</a>" in stored
