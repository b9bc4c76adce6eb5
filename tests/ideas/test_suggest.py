from sqlalchemy import select

from portal.activity.models import ActivityEvent
from portal.extensions import db
from portal.ideas.models import Idea, IdeaStatus, IdeaStatusChange
from portal.search.models import SearchChange
from tests.conftest import login
from tests.ideas.helpers import follower_ids, voter_ids


def test_member_suggests_an_idea_and_is_its_first_voter(client, make_user, make_area):
    member = make_user()
    area = make_area("Reports", slug="reports")
    login(client, member)
    assert client.get("/ideas/new").status_code == 200
    response = client.post(
        "/ideas/new",
        data={
            "title": "Export reports to Excel",
            "description": "We need **xlsx** exports <script>alert(1)</script>",
            "area": "reports",
        },
    )
    assert response.status_code == 302
    idea = db.session.execute(select(Idea)).scalar_one()
    assert response.location == f"/ideas/{idea.id}"
    assert idea.title == "Export reports to Excel"
    assert idea.product_area_id == area.id
    assert idea.status == IdeaStatus.NEW
    assert "<strong>xlsx</strong>" in idea.body_html and "<script>" not in idea.body_html
    assert idea.vote_count == 1 and voter_ids(idea.id) == {member.id}
    assert follower_ids(idea.id) == {member.id}
    event = db.session.execute(
        select(ActivityEvent).where(ActivityEvent.kind == "idea.suggested")
    ).scalar_one()
    assert event.product_area_id == area.id and event.data["title"] == idea.title
    change = db.session.execute(select(SearchChange)).scalar_one()
    assert (change.doc_type, change.doc_id, change.action) == ("idea", idea.id, "upsert")
    history = db.session.execute(select(IdeaStatusChange)).scalar_one()
    assert history.to_status == IdeaStatus.NEW and history.actor_id == member.id

    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Export reports to Excel" in page and 'aria-pressed="true"' in page


def test_a_too_short_title_is_explained_beside_the_field_and_input_is_kept(client, make_user):
    login(client, make_user())
    response = client.post(
        "/ideas/new", data={"title": "Excel", "description": "Keep this text", "area": ""}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Use 8 to 150 characters" in html
    assert 'value="Excel"' in html and "Keep this text" in html
    assert db.session.execute(select(Idea)).first() is None


def test_an_unknown_product_area_is_refused(client, make_user):
    login(client, make_user())
    response = client.post("/ideas/new", data={"title": "A perfectly fine title", "area": "nope"})
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.execute(select(Idea)).first() is None


def test_expired_csrf_keeps_what_was_typed(client, make_user):
    login(client, make_user())
    response = client.post(
        "/ideas/new", data={"title": "Typed before lunch", "description": ""}, csrf=False
    )
    html = response.get_data(as_text=True)
    assert "This form had expired" in html and 'value="Typed before lunch"' in html
    assert db.session.execute(select(Idea)).first() is None


def test_suggesting_shows_on_the_public_profile(client, make_user, make_idea):
    member = make_user()
    idea = make_idea(member, title="Dark mode for the dashboard")
    html = client.get(f"/users/{member.id}").get_data(as_text=True)
    assert "Suggested an idea" in html and f'href="/ideas/{idea.id}"' in html


def test_anonymous_visitors_are_asked_to_log_in(client):
    response = client.get("/ideas/new")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_author_and_team_edit_an_idea_others_cannot(client, make_user, make_idea, make_area):
    from portal.ideas.services import merge_ideas

    author = make_user()
    make_area("Billing", slug="billing")
    idea = make_idea(author, title="Export to Exel")
    login(client, author)
    form = client.get(f"/ideas/{idea.id}/edit").get_data(as_text=True)
    assert 'value="Export to Exel"' in form
    response = client.post(
        f"/ideas/{idea.id}/edit",
        data={"title": "Export to Excel", "description": "Now *with* xlsx", "area": "billing"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Idea, idea.id)
    assert edited.title == "Export to Excel" and "<em>with</em>" in edited.body_html
    assert edited.product_area.slug == "billing"
    assert db.session.scalars(select(SearchChange.doc_id)).all() == [idea.id, idea.id]

    login(client, make_user())
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 403
    login(client, make_user("staff"))
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 200

    merge_ideas(db.session.get(Idea, idea.id), make_idea(), by=make_user("staff"))
    db.session.commit()
    html = client.post(
        f"/ideas/{idea.id}/edit", data={"title": "Sneaky change of title", "area": ""}
    ).get_data(as_text=True)
    assert "read-only" in html
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).title == "Export to Excel"
