"""Pages for someone signed in, responses that set a cookie and forms with a CSRF token say
`Cache-Control: private, no-store`; anonymous pages and shared files stay cacheable."""

import io
import re

import pytest
from PIL import Image

from tests.conftest import login
from tests.factories import make_question

PRIVATE = "private, no-store"


def cache_control(response) -> str:
    value = response.headers.get("Cache-Control", "")
    response.close()
    return value


@pytest.fixture
def member(client, make_user):
    user = make_user()
    login(client, user)
    return user


@pytest.mark.parametrize("path", ["/", "/questions", "/ideas", "/search?q=x", "/notifications"])
def test_signed_in_pages_are_private(client, member, path):
    assert cache_control(client.get(path)) == PRIVATE


def test_signed_in_errors_and_json_are_private(client, member):
    assert cache_control(client.get("/questions/999999")) == PRIVATE
    assert cache_control(client.get("/search/similar?q=x")) == PRIVATE


def test_anonymous_pages_stay_cacheable(client):
    for path in ("/", "/questions", "/ideas", "/guidelines", "/search?q=x"):
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" not in cache_control(response), path
        assert "Set-Cookie" not in response.headers, path


@pytest.mark.parametrize("path", ["/login", "/register", "/password/forgot"])
def test_anonymous_forms_with_a_csrf_token_are_private(client, path):
    response = client.get(path)
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert cache_control(response) == PRIVATE


def test_a_response_that_sets_a_cookie_is_private(client, app):
    question = make_question()
    first = client.get(f"/questions/{question.id}")  # the view is counted once per session
    assert "session=" in first.headers.get("Set-Cookie", "")
    assert cache_control(first) == PRIVATE


def test_logging_out_is_private(client, member):
    response = client.post("/logout")
    assert "session=" in response.headers.get("Set-Cookie", "")
    assert cache_control(response) == PRIVATE


def test_shared_files_stay_cacheable_for_signed_in_people(client, make_user, app):
    login(client, make_user("admin"))
    assert "no-store" not in cache_control(client.get("/static/css/portal.css"))
    # Versioned static files (plotly.js among them) are served by WhiteNoise, kept a year.
    plotly = re.search(r'data-plotly-src="([^"]+)"', client.get("/insights").text).group(1)
    assert cache_control(client.get(plotly)) == "max-age=31536000, public, immutable"
    assert cache_control(client.get("/brand.css")) == "public, max-age=300"
    logo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(logo, format="PNG")
    logo.seek(0)
    saved = client.post(
        "/admin/brand",
        data={"community_name": "C", "primary_color": "#2457c5", "logo": (logo, "l.png")},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    page = client.get("/").get_data(as_text=True)
    logo_url = page.split('class="brand__logo" src="')[1].split('"')[0]
    assert cache_control(client.get(logo_url)).startswith("public")
