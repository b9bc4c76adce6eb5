from sqlalchemy import select

from portal.activity.models import ActivityEvent
from portal.extensions import db
from portal.ideas.models import IdeaStatus, IdeaStatusChange
from portal.ideas.services import cast_vote
from portal.search.models import SearchChange
from tests.conftest import login
from tests.ideas.helpers import fresh, notifications


def _idea_with_audience(make_user, make_idea):
    author = make_user()
    idea = make_idea(author, title="Scheduled report emails")
    voter, follower = make_user(), make_user()
    cast_vote(fresh(idea.id), voter)
    from portal.ideas.services import follow

    follow(fresh(idea.id), follower)
    db.session.commit()
    return idea, author, voter, follower


def test_status_change_notifies_author_voters_and_followers_with_the_note(
    client, make_user, make_idea, worker_pass
):
    idea, author, voter, follower = _idea_with_audience(make_user, make_idea)
    worker_pass()  # the new idea's own fan-out, to those who watch its product area
    product = make_user("product")
    login(client, product)
    response = client.post(
        f"/ideas/{idea.id}/status",
        data={"status-status": "planned", "status-note": "Coming in the spring release."},
    )
    assert response.status_code == 302
    assert fresh(idea.id).status == IdeaStatus.PLANNED
    assert notifications("idea.status_changed") == []  # the worker writes them, after commit
    assert "1 fan-outs written" in worker_pass()
    sent = notifications("idea.status_changed")
    assert {n.user_id for n in sent} == {author.id, voter.id, follower.id}
    assert all(n.note == "Coming in the spring release." for n in sent)
    assert sent[0].title == "“Scheduled report emails” is now Planned"
    change = db.session.scalars(
        select(IdeaStatusChange).order_by(IdeaStatusChange.id.desc())
    ).first()
    assert (change.from_status, change.to_status, change.actor_id) == (
        "new",
        "planned",
        product.id,
    )
    event = db.session.execute(
        select(ActivityEvent).where(ActivityEvent.kind == "idea.status_changed")
    ).scalar_one()
    assert event.data["to_status"] == "planned" and event.data["title"] == idea.title
    assert db.session.scalars(select(SearchChange.doc_id)).all() == [idea.id, idea.id]

    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Coming in the spring release." in html and "changed the status" in html


def test_declining_needs_a_note(client, make_user, make_idea):
    idea = make_idea()
    login(client, make_user("staff"))
    response = client.post(
        f"/ideas/{idea.id}/status", data={"status-status": "declined", "status-note": "  "}
    )
    assert response.status_code == 200
    assert "Say why the idea is declined" in response.get_data(as_text=True)
    assert fresh(idea.id).status == IdeaStatus.NEW
    assert notifications("idea.status_changed") == []


def test_status_cannot_be_set_to_merged_or_to_what_it_is(client, make_user, make_idea):
    idea = make_idea()
    login(client, make_user("admin"))
    html = client.post(f"/ideas/{idea.id}/status", data={"status-status": "merged"}).get_data(
        as_text=True
    )
    assert "Not a valid choice" in html
    html = client.post(f"/ideas/{idea.id}/status", data={"status-status": "new"}).get_data(
        as_text=True
    )
    assert "The idea is already new." in html
    assert fresh(idea.id).status == IdeaStatus.NEW


def test_members_cannot_change_status(client, make_user, make_idea):
    author = make_user()
    idea = make_idea(author)
    login(client, author)
    response = client.post(
        f"/ideas/{idea.id}/status", data={"status-status": "shipped", "status-note": "Done!"}
    )
    assert response.status_code == 403
    assert "You do not have permission" in response.get_data(as_text=True)
    assert fresh(idea.id).status == IdeaStatus.NEW


def test_the_team_panel_shows_only_to_the_team(client, make_user, make_idea):
    idea = make_idea()
    assert "Update status" not in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    login(client, make_user("product"))
    assert "Update status" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
