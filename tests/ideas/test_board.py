from datetime import timedelta

from portal.clock import utcnow
from portal.extensions import db
from portal.ideas.models import IdeaStatus, IdeaVote
from portal.ideas.queries import board_ids
from tests.conftest import login
from tests.ideas.helpers import fresh


def _add_votes(idea, users, *, days_ago: int) -> None:
    at = utcnow() - timedelta(days=days_ago)
    for user in users:
        db.session.add(IdeaVote(idea_id=idea.id, user_id=user.id, created_at=at))
    fresh(idea.id).vote_count += len(users)
    db.session.commit()


def _titles(client, query: str) -> list[str]:
    html = client.get(f"/ideas?{query}").get_data(as_text=True)
    import re

    return re.findall(r'class="idea-card__title"><a href="/ideas/\d+">([^<]+)</a>', html)


def test_top_trending_and_new_order_the_board_differently(client, make_user, make_idea):
    old_at = utcnow() - timedelta(days=200)
    classic = make_idea(title="Classic idea with many old votes", at=old_at)
    rising = make_idea(title="Rising idea with recent votes", at=utcnow() - timedelta(days=20))
    fresh_idea = make_idea(title="Brand new idea posted today")
    people = [make_user() for _ in range(10)]
    _add_votes(classic, people[:9], days_ago=120)
    _add_votes(rising, people[:4], days_ago=3)

    assert _titles(client, "sort=top")[:2] == [classic.title, rising.title]
    assert _titles(client, "sort=trending")[:2] == [rising.title, classic.title]
    assert _titles(client, "sort=new")[0] == fresh_idea.title
    assert _titles(client, "sort=bogus")[0] == classic.title


def test_filters_by_status_and_area(client, make_user, make_idea, make_area):
    reports = make_area("Reports", slug="reports")
    planned = make_idea(title="Planned report idea", area=reports, status=IdeaStatus.PLANNED)
    shipped = make_idea(title="Shipped mobile idea", status=IdeaStatus.SHIPPED)
    open_idea = make_idea(title="Open mobile idea")
    merged = make_idea(title="Merged away idea", status=IdeaStatus.MERGED)

    assert set(_titles(client, "")) == {planned.title, open_idea.title}
    assert set(_titles(client, "status=all")) == {planned.title, shipped.title, open_idea.title}
    assert _titles(client, "status=shipped") == [shipped.title]
    assert _titles(client, "area=reports") == [planned.title]
    assert merged.title not in _titles(client, "status=all")
    html = client.get("/ideas?status=declined").get_data(as_text=True)
    assert "No ideas match these filters yet." in html


def test_cards_show_votes_status_comments_area_and_my_vote(client, make_user, make_idea, make_area):
    area = make_area("Mobile app", slug="mobile")
    member = make_user()
    mine = make_idea(member, title="My own idea for the app", area=area)
    make_idea(title="Somebody else's idea")
    login(client, member)
    html = client.get("/ideas").get_data(as_text=True)
    assert html.count('aria-pressed="true"') == 1 and html.count('aria-pressed="false"') == 1
    assert "pill--new" in html and "Mobile app" in html
    assert f'href="/ideas/{mine.id}"' in html and '0<span class="visually-hidden"> comments' in html


def test_thirty_ideas_per_page(client, make_user, make_idea):
    author = make_user()
    for n in range(31):
        make_idea(author, title=f"Paginated idea number {n:02d}")
    assert len(_titles(client, "sort=new")) == 30
    assert len(_titles(client, "sort=new&page=2")) == 1
    assert _titles(client, "sort=new&page=3") == _titles(client, "sort=new&page=2")  # the last


def test_board_query_weights_recent_votes(app, make_user, make_idea):
    a, b = make_idea(title="Eleven old votes idea"), make_idea(title="Four new votes idea")
    people = [make_user() for _ in range(10)]
    _add_votes(a, people, days_ago=60)
    _add_votes(b, people[:3], days_ago=1)
    # a: 11 votes, none recent; b: 4 votes, 4 recent (author's vote today): 4*3 + 4 = 16 > 11
    order = board_ids(sort="trending")
    assert order == [b.id, a.id]


def test_roadmap_columns_and_shipped_only_for_ninety_days(client, make_idea, make_area):
    area = make_area("Billing", slug="billing")
    planned = make_idea(title="Planned billing idea", area=area, status=IdeaStatus.PLANNED)
    building = make_idea(title="Idea being built now", status=IdeaStatus.IN_PROGRESS)
    shipped = make_idea(title="Shipped last month", status=IdeaStatus.SHIPPED)
    old = make_idea(title="Shipped long ago idea", status=IdeaStatus.SHIPPED)
    fresh(old.id).status_changed_at = utcnow() - timedelta(days=120)
    fresh(shipped.id).status_changed_at = utcnow() - timedelta(days=30)
    make_idea(title="Still new idea")
    db.session.commit()

    html = client.get("/roadmap").get_data(as_text=True)
    for idea in (planned, building, shipped):
        assert idea.title in html
    assert old.title not in html and "Still new idea" not in html
    assert (
        html.index("roadmap-planned")
        < html.index(planned.title)
        < html.index("roadmap-in_progress")
    )
    assert (
        html.index("roadmap-in_progress")
        < html.index(building.title)
        < html.index("roadmap-shipped")
    )

    html = client.get("/roadmap?area=billing").get_data(as_text=True)
    assert planned.title in html and building.title not in html
    assert "No ideas in Billing have this status right now." in html


def test_home_page_lists_top_ideas(client, make_user, make_idea):
    idea = make_idea(title="The most wanted idea")
    html = client.get("/").get_data(as_text=True)
    assert "Top ideas" in html and idea.title in html


def test_pages_issue_the_same_number_of_statements_for_few_or_many_rows(
    client, make_user, make_idea, make_area, count_queries
):
    area = make_area()
    viewer = make_user()
    product = make_user("product")
    login(client, viewer)

    def grow(n: int):
        from portal.ideas.services import add_comment, cast_vote, change_status, merge_ideas

        for i in range(n):
            idea = make_idea(make_user(), area=area)
            change_status(fresh(idea.id), "planned", note="Soon.", by=product)
            duplicate = make_idea(make_user(), area=area)
            merge_ideas(fresh(duplicate.id), fresh(first.id), by=product)
            next_status = "under_review" if fresh(first.id).status != "under_review" else "new"
            change_status(fresh(first.id), next_status, note=f"Update {i}", by=product)
            db.session.commit()
        target = fresh(first.id)
        for _ in range(n):
            person = make_user()
            cast_vote(target, person)
            add_comment(target, person, "Me too, **please**.")
            db.session.commit()

    def counts() -> dict[str, int]:
        result = {}
        for url in ("/ideas", "/ideas?sort=trending", f"/ideas/{first.id}", "/roadmap", "/"):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            result[url] = counter.count
        return result

    first = make_idea(area=area)
    grow(2)
    few = counts()
    grow(12)
    many = counts()
    assert few == many
