"""Where the similarity score serves besides the ask forms: related questions on a question
page, originals offered when closing a duplicate, ideas offered when merging, and the
moderators' possible-duplicates page. Each shows only live, public posts."""

import re

import pytest

from portal.accounts.models import Role
from portal.extensions import db
from portal.ideas.models import Idea
from portal.search.changes import record_search_change
from portal.search.index import searchers
from portal.search.indexer import apply_pending
from portal.support.models import Question
from tests.conftest import login
from tests.factories import make_idea, make_question

ORIGINAL = "Session expires overnight and I have to sign in again"
REPHRASED = "The app logs me out every single morning"


@pytest.fixture
def app_config() -> dict:
    return {"SEARCH_SEMANTIC": True}  # the model, off for other tests (tests/conftest.py)


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


def test_a_hidden_question_leaves_related_questions_though_its_vector_is_held(
    app, client, twins, make_user
):
    from portal.moderation.services import decide, open_item

    original, duplicate = twins
    assert ORIGINAL in client.get(f"/questions/{duplicate.id}").get_data(as_text=True)
    item = open_item("question", original.id, original.author_id, "flagged")
    decide(item.id, "hide", make_user(Role.STAFF))
    db.session.commit()  # not indexed: the vector stays in the table and in the process
    page = client.get(f"/questions/{duplicate.id}").get_data(as_text=True)
    assert ORIGINAL not in page
    login(client, make_user())
    assert ORIGINAL not in client.get(f"/questions/{duplicate.id}").get_data(as_text=True)


def test_closing_offers_the_original_and_closes_with_one_click(client, twins, make_user):
    original, duplicate = twins
    login(client, make_user(Role.STAFF))
    page = client.get(f"/questions/{duplicate.id}/close").get_data(as_text=True)
    offered = re.findall(r'name="duplicate_of" value="(\d+)"', page)
    assert offered[0] == str(original.id) and str(duplicate.id) not in offered
    response = client.post(
        f"/questions/{duplicate.id}/close",
        data={"duplicate_of": str(original.id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, duplicate.id).duplicate_of_id == original.id


def test_a_question_closed_as_a_duplicate_is_not_offered_as_an_original(client, twins, make_user):
    original, duplicate = twins
    staff = make_user(Role.STAFF)
    login(client, staff)
    client.post(f"/questions/{duplicate.id}/close", data={"duplicate_of": str(original.id)})
    apply_pending()
    twin = make_question(title=TWIN, body="The portal forgets me every day.")
    apply_pending()
    page = client.get(f"/questions/{twin.id}/close").get_data(as_text=True)
    offered = re.findall(r'name="duplicate_of" value="(\d+)"', page)
    assert str(original.id) in offered and str(duplicate.id) not in offered


def test_merging_offers_the_idea_most_like_it(client, make_user):
    target = make_idea(title="Let me stay signed in for a month")
    make_idea(title="Export charts as PNG images")
    idea = make_idea(title="Remember my login for longer")
    apply_pending()
    login(client, make_user(Role.PRODUCT))
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    offered = re.findall(r'name="merge-target" value="#(\d+)"', page)
    assert offered[0] == str(target.id) and str(idea.id) not in offered
    response = client.post(
        f"/ideas/{idea.id}/merge",
        data={"merge-target": f"#{target.id}"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).merged_into_id == target.id


def test_members_never_see_the_merge_offers(client, make_user):
    make_idea(title="Let me stay signed in for a month")
    idea = make_idea(title="Remember my login for longer")
    apply_pending()
    login(client, make_user())
    assert 'name="merge-target"' not in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


TWIN = "My session expires every night, so I sign in again each morning"


def test_moderators_see_new_questions_that_look_like_old_ones(client, twins, make_user):
    original, _ = twins
    duplicate = make_question(title=TWIN, body="The portal forgets me every day.")
    apply_pending()
    login(client, make_user(Role.STAFF))
    page = client.get("/moderation/duplicates").get_data(as_text=True)
    pair = page[page.index('class="card duplicate-pair"') :]
    assert re.search(rf'<a href="/questions/{duplicate.id}/[^"]*">{TWIN}</a>', pair)
    assert f'href="/questions/{original.id}/' in pair
    assert f'href="/questions/{duplicate.id}/close"' in pair
    assert page.count('class="card duplicate-pair"') == 1  # each pair once


def test_hidden_and_closed_posts_leave_the_duplicates_page(client, twins, make_user):
    original, _ = twins
    make_question(title=TWIN, body="The portal forgets me every day.")
    apply_pending()
    login(client, make_user(Role.STAFF))
    assert "duplicate-pair" in client.get("/moderation/duplicates").get_data(as_text=True)
    original.review_state = "hidden"
    record_search_change("question", original.id)
    db.session.commit()
    apply_pending()
    page = client.get("/moderation/duplicates").get_data(as_text=True)
    assert "duplicate-pair" not in page and ORIGINAL not in page


@pytest.mark.parametrize("role", [Role.MEMBER, None])
def test_the_duplicates_page_is_for_moderators_and_the_product_team(client, make_user, role):
    if role is not None:
        login(client, make_user(role))
    response = client.get("/moderation/duplicates")
    assert response.status_code in (302, 403)
    assert "duplicate-pair" not in response.get_data(as_text=True)


def test_a_question_closed_as_a_duplicate_leaves_the_duplicates_page(client, twins, make_user):
    from portal.support.services import close_as_duplicate

    original, _ = twins
    twin = make_question(title=TWIN, body="The portal forgets me every day.")
    staff = make_user(Role.STAFF)
    close_as_duplicate(twin, staff, original)
    db.session.commit()
    apply_pending()
    login(client, staff)
    assert "duplicate-pair" not in client.get("/moderation/duplicates").get_data(as_text=True)
