"""Where the similarity score serves besides the ask forms: related questions on a question
page, originals offered when closing a duplicate, ideas offered when merging, and the
moderators' possible-duplicates page. Each shows only live, public posts."""

import re

import pytest

from portal.search.index import searchers
from portal.search.indexer import apply_pending
from tests.factories import make_question

ORIGINAL = "Session expires overnight and I have to sign in again"
REPHRASED = "The app logs me out every single morning"


@pytest.fixture(autouse=True)
def _close_searchers(app):
    yield
    searchers().close()


@pytest.fixture
def twins(app, make_area):
    area = make_area("Accounts", slug="accounts")
    original = make_question(
        title=ORIGINAL, body="Each day the portal forgets who I am.", area=area
    )
    for title in ["How do I export invoices?", "Dark mode for charts", "Which plans have SSO?"]:
        make_question(title=title, area=area)
    duplicate = make_question(title=REPHRASED, body="Why does that keep happening?", area=area)
    apply_pending()
    return original, duplicate


def test_a_question_page_lists_the_question_most_like_it_first(client, twins):
    original, duplicate = twins
    page = client.get(f"/questions/{duplicate.id}").get_data(as_text=True)
    related = page[page.index('id="related-heading"') :]
    links = re.findall(r'href="/questions/(\d+)/', related)
    assert links[0] == str(original.id)
    assert str(duplicate.id) not in links
