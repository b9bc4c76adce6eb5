"""The "Similar questions and ideas" panel on the Ask and Suggest-an-idea forms (one partial)."""

import re

import pytest

from portal.search.index import searchers
from portal.search.indexer import apply_pending
from tests.conftest import login
from tests.factories import make_idea, make_question


@pytest.fixture(autouse=True)
def _close_searchers(app):
    yield
    searchers().close()


@pytest.mark.parametrize("path", ["/questions/ask", "/ideas/new"])
def test_both_forms_have_the_live_region_for_the_script(client, make_user, path):
    login(client, make_user())
    page = client.get(path).get_data(as_text=True)
    region = re.search(r'<div id="similar-items"[^>]*>(.*?)</div>', page, re.S)
    assert region is not None, "the form has no similar-items region"
    assert 'aria-live="polite"' in region.group(0)
    assert 'data-similar-url="/search/similar"' in region.group(0)
    assert region.group(1) == ""  # empty until someone types (CSS hides it)
    assert re.search(
        r'<input[^>]*data-similar-source[^>]*name="title"|<input[^>]*name="title"'
        r"[^>]*data-similar-source",
        page,
    )
    assert re.search(r"/static/js/similar\.[0-9a-f]{12}\.js", page)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/questions/ask", {"title": "Dark mode for the invoices page", "body": ""}),
        ("/ideas/new", {"title": "Dark mode for the invoices page" + " please" * 20}),
    ],
)
def test_a_form_shown_again_lists_similar_items_without_javascript(
    client, make_user, make_area, path, data
):
    area = make_area("Billing", slug="billing")
    idea = make_idea(title="Dark mode everywhere, invoices included", area=area)
    question = make_question(title="Is there a dark mode for invoices?", area=area)
    apply_pending()
    login(client, make_user())
    # The question lacks a body and area, the idea's title is too long: both forms come back.
    page = client.post(path, data=data).get_data(as_text=True)
    assert "Similar questions and ideas" in page
    assert f'href="/ideas/{idea.id}"' in page
    assert f'href="/questions/{question.id}/' in page
