"""The changelog closes the loop: publishing an entry ships the ideas it names, tells their
voters and followers, and asks the askers of their linked questions whether they are solved."""

import xml.etree.ElementTree as ElementTree

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.changelog.models import ChangelogEntry
from portal.changelog.services import publish_entry
from portal.extensions import db
from portal.ideas.models import Idea, IdeaStatus
from portal.ideas.services import cast_vote
from portal.links.services import link_question
from portal.notifications.models import Notification
from portal.notifications.services import write_pending
from portal.search.index import searchers
from portal.search.indexer import apply_pending
from tests.conftest import login
from tests.factories import make_idea, make_question

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def product(client, make_user):
    user = make_user(Role.PRODUCT)
    login(client, user)
    return user


def notes_of(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_publishing_ships_the_ideas_and_tells_voters_and_askers(app, client, product, make_user):
    author, voter, asker = make_user(), make_user(), make_user()
    idea = make_idea(author, title="Dark mode for the dashboard")
    cast_vote(idea, voter)
    question = make_question(author=asker, title="Is there a dark mode for the dashboard yet?")
    hidden = make_question(author=make_user(), title="Dark mode? My eyes hurt at night, please")
    link_question(idea, question, by=product)
    link_question(idea, hidden, by=product)
    hidden.review_state = "hidden"
    db.session.commit()
    response = client.post(
        "/changelog/new",
        data={
            "title": "Dark mode is here",
            "body": "Switch it on in **Settings**.",
            "ideas": f"#{idea.id}\nhttp://localhost/ideas/{idea.id}",
        },
    )
    assert response.status_code == 302
    entry = db.session.scalar(select(ChangelogEntry))
    assert [i.id for i in entry.ideas] == [idea.id]
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == IdeaStatus.SHIPPED
    # Author, voter and the two askers, who follow the idea since the link; one live question.
    assert (entry.voters_told, entry.askers_told) == (4, 1)
    write_pending()
    db.session.commit()
    (told,) = [n for n in notes_of(asker) if n.kind == "idea.shipped_for_question"]
    assert "does it solve" in told.title and told.url.startswith(f"/questions/{question.id}/")
    assert any(n.kind == "idea.status_changed" for n in notes_of(voter))
    assert all(n.kind != "idea.shipped_for_question" for n in notes_of(hidden.author))
    page = client.get("/changelog").get_data(as_text=True)
    assert "Dark mode is here" in page and f'href="/ideas/{idea.id}"' in page
    assert "<strong>Settings</strong>" in client.get(f"/changelog/{entry.id}").get_data(
        as_text=True
    )


def test_the_feed_is_atom_with_links_from_the_configuration(app, client, product):
    client.post("/changelog/new", data={"title": "Faster search", "body": "It is faster."})
    response = client.get("/changelog.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(response.data)
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Faster search"
    link = entry.find(f"{ATOM}link").get("href")
    assert link.startswith(app.config["BASE_URL"]) and "/changelog/" in link


@pytest.mark.parametrize(
    "ideas, message",
    [("#99999", "No idea has that number"), ("not an idea", "No idea has that number")],
)
def test_naming_an_idea_that_does_not_exist_is_refused(client, product, ideas, message):
    response = client.post(
        "/changelog/new", data={"title": "Something", "body": "Text.", "ideas": ideas}
    )
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(ChangelogEntry)) is None


def test_members_cannot_publish(client, make_user):
    login(client, make_user())
    assert client.get("/changelog/new").status_code == 403
    response = client.post("/changelog/new", data={"title": "Mine", "body": "Text."})
    assert response.status_code == 403


def test_entries_are_found_in_search(client, product):
    client.post("/changelog/new", data={"title": "Webhooks for invoices", "body": "At last."})
    apply_pending()
    page = client.get("/search?q=webhooks&type=changelog").get_data(as_text=True)
    searchers().close()
    assert 'href="/changelog/' in page and "Webhooks for invoices" in page
    assert '<span class="search-hit__type">Changelog</span>' in page


def test_insights_count_the_ideas_shipped_and_the_askers_told(client, product, make_user):
    idea = make_idea(title="Export to PDF")
    link_question(
        idea, make_question(author=make_user(), title="How do I export a PDF?"), by=product
    )
    db.session.commit()
    client.post(
        "/changelog/new", data={"title": "PDF export", "body": "Done.", "ideas": str(idea.id)}
    )
    text = client.get("/insights/data/changelog.csv?period=7").get_data(as_text=True)
    assert "PDF export,2" in text and text.replace("\r", "").endswith(",1,2,1\n")  # author, asker


def test_the_authors_profile_lists_the_entry(client, product):
    client.post("/changelog/new", data={"title": "Faster exports", "body": "Twice as fast."})
    entry = db.session.scalar(select(ChangelogEntry))
    page = client.get(f"/users/{product.id}").get_data(as_text=True)
    activity = page[page.index("Recent activity") :]
    assert "Published in the changelog" in activity
    assert f'href="/changelog/{entry.id}">Faster exports</a>' in activity


def test_the_changelog_and_its_feed_do_not_query_per_entry(
    app, client, product, make_user, count_queries
):
    def publish(n: int) -> None:
        author = make_user(Role.PRODUCT)
        idea = make_idea(title=f"Idea shipped in release {n}")
        publish_entry(author, title=f"Release {n}", body="Shipped.", ideas=[idea])
        db.session.commit()

    publish(0)
    pages = ("/changelog", "/changelog.atom")
    for page in pages:
        client.get(page)
    db.session.expire_all()
    with count_queries() as few:
        for page in pages:
            client.get(page)
    for n in range(1, 6):
        publish(n)
    for page in pages:
        client.get(page)
    db.session.expire_all()
    with count_queries() as many:
        for page in pages:
            assert "Release 5" in client.get(page).get_data(as_text=True)
    assert many.count == few.count
