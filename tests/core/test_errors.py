import pytest


@pytest.mark.parametrize(
    ("method", "url", "code", "text"),
    [
        ("get", "/no-such-page", 404, "We couldn’t find that page"),
        ("post", "/guidelines", 405, "That action isn’t available here"),
    ],
)
def test_error_pages_use_the_site_layout(client, method, url, code, text):
    response = getattr(client, method)(url)
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert text in page and "Skip to content" in page


def test_too_large_upload_is_a_413_page(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "That upload is too large" in response.get_data(as_text=True)


def test_server_error_page(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)


def test_json_callers_get_json_errors(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.is_json
