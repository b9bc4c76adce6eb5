"""Support questions meet the idea board: linking, and turning a question into an idea."""

import pytest

from portal.extensions import db
from portal.ideas.models import Idea, IdeaFollower, IdeaQuestion, IdeaStatus, IdeaVote
from portal.ideas.services import change_status, merge_ideas
from portal.links.services import turn_into_idea
from portal.notifications.models import Notification
from portal.support.models import Question
from portal.support.services import close_as_idea, delete_post
from portal.writes import Refused
from tests.conftest import login
from tests.factories import make_answer, make_idea, make_question


@pytest.fixture
def staff(client, make_user):
    user = make_user("staff")
    login(client, user)
    return user


def test_link_a_question_to_an_idea_both_pages_show_it(client, staff, make_user):
    asker = make_user(display_name="Asker")
    question = make_question(asker, title="Can I export invoices as CSV files?")
    idea = make_idea(title="Export invoices to CSV")
    response = client.post(f"/questions/{question.id}/ideas", data={"idea": f"/ideas/{idea.id}"})
    assert response.status_code == 302 and response.location.endswith("#linked-ideas")
    question_page = client.get(f"/questions/{question.id}", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Linked ideas" in question_page and "Export invoices to CSV" in question_page
    assert 'class="pill pill--new pill--c-grey">New<' in question_page
    idea_page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Support questions asking for this" in idea_page
    assert "Can I export invoices as CSV files?" in idea_page
    assert db.session.get(IdeaFollower, (idea.id, asker.id)) is not None
    note = db.session.execute(
        db.select(Notification).where(Notification.user_id == asker.id)
    ).scalar_one()
    assert "is linked to the idea" in note.title


def test_the_asker_hears_when_the_linked_idea_changes_status(client, staff, make_user, worker_pass):
    asker = make_user()
    question = make_question(asker)
    idea = make_idea(title="Dark mode")
    client.post(f"/questions/{question.id}/ideas", data={"idea": str(idea.id)})
    change_status(db.session.get(Idea, idea.id), "planned", note="Coming in Q3", by=staff)
    db.session.commit()
    worker_pass()
    titles = db.session.scalars(
        db.select(Notification.note).where(Notification.user_id == asker.id)
    ).all()
    assert "Coming in Q3" in titles


@pytest.mark.parametrize(
    ("reference", "message"),
    [("999999", "No idea has that number or link."), ("not a number", "No idea has that")],
)
def test_linking_to_a_missing_idea_is_explained(client, staff, reference, message):
    question = make_question()
    page = client.post(
        f"/questions/{question.id}/ideas", data={"idea": reference}, follow_redirects=True
    ).get_data(as_text=True)
    assert message in page
    assert db.session.execute(db.select(IdeaQuestion)).first() is None


def test_linking_twice_or_to_a_merged_idea_is_refused(client, staff):
    question = make_question()
    target, source = make_idea(title="Target idea"), make_idea(title="Source idea")
    client.post(f"/questions/{question.id}/ideas", data={"idea": str(target.id)})
    again = client.post(
        f"/questions/{question.id}/ideas", data={"idea": str(target.id)}, follow_redirects=True
    )
    assert "already linked" in again.get_data(as_text=True)
    merge_ideas(db.session.get(Idea, source.id), db.session.get(Idea, target.id), by=staff)
    db.session.commit()
    merged = client.post(
        f"/questions/{question.id}/ideas", data={"idea": str(source.id)}, follow_redirects=True
    )
    assert "was merged into" in merged.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count()).select_from(IdeaQuestion)).scalar() == 1


def test_unlink(client, staff):
    question = make_question()
    idea = make_idea()
    client.post(f"/questions/{question.id}/ideas", data={"idea": str(idea.id)})
    client.post(f"/questions/{question.id}/ideas/{idea.id}/unlink")
    assert db.session.execute(db.select(IdeaQuestion)).first() is None


def test_turn_a_question_into_an_idea(client, staff, make_user):
    asker = make_user(display_name="Requester")
    question = make_question(
        asker, title="Please add a dark theme to the mobile app", body="My eyes hurt at night."
    )
    make_answer(question, body="Not available yet, sorry.")
    response = client.post(f"/questions/{question.id}/to-idea")
    assert response.status_code == 302
    idea = db.session.execute(db.select(Idea)).scalar_one()
    assert response.location == f"/ideas/{idea.id}"
    assert (idea.title, idea.author_id, idea.status) == (question.title, asker.id, IdeaStatus.NEW)
    assert "My eyes hurt at night." in idea.body_html
    assert db.session.execute(db.select(IdeaVote.user_id)).scalars().all() == [asker.id]
    db.session.refresh(question)
    assert question.is_closed and question.duplicate_of_id is None
    page = client.get(f"/questions/{question.id}", follow_redirects=True).get_data(as_text=True)
    assert "This question became an idea everyone can vote for" in page
    assert "[duplicate]" not in page
    refused = client.post(f"/questions/{question.id}/to-idea", follow_redirects=True)
    assert "closed already" in refused.get_data(as_text=True)
    answer = client.post(f"/questions/{question.id}/answers", data={"body": "x" * 30})
    assert answer.status_code in (302, 400, 403, 409, 422)
    assert db.session.execute(db.select(db.func.count(Idea.id))).scalar() == 1


def test_members_cannot_link_or_convert(client, make_user):
    member = make_user()
    login(client, member)
    question = make_question(member)
    idea = make_idea()
    assert (
        client.post(f"/questions/{question.id}/ideas", data={"idea": str(idea.id)}).status_code
        == 403
    )
    assert client.post(f"/questions/{question.id}/to-idea").status_code == 403
    page = client.get(f"/questions/{question.id}", follow_redirects=True).get_data(as_text=True)
    assert "Turn this question into an idea" not in page


def test_question_page_statement_count_does_not_grow_with_linked_ideas(
    client, staff, count_queries
):
    question = make_question()
    client.post(f"/questions/{question.id}/ideas", data={"idea": str(make_idea().id)})
    client.get(f"/questions/{question.id}", follow_redirects=True)  # the first view is counted
    with count_queries() as one:
        client.get(f"/questions/{question.id}", follow_redirects=True)
    for _ in range(4):
        client.post(f"/questions/{question.id}/ideas", data={"idea": str(make_idea().id)})
    client.get(f"/questions/{question.id}", follow_redirects=True)  # shows the flash messages
    with count_queries() as five:
        client.get(f"/questions/{question.id}", follow_redirects=True)
    assert five.count == one.count


def test_turning_into_an_idea_closes_by_supports_rules(app, make_user):
    """links/ closes the question through support's service, which applies support's checks
    and `can()`: nothing is left half-written when it refuses."""
    member, staff = make_user(), make_user("staff")
    question = make_question(member)
    with pytest.raises(Refused, match="Only the idea team"):
        turn_into_idea(question, by=member)
    db.session.rollback()
    assert not db.session.get(Question, question.id).is_closed
    delete_post(question, staff)
    with pytest.raises(Refused, match="deleted"):
        close_as_idea(question, staff)
    db.session.rollback()
    assert db.session.execute(db.select(Idea)).first() is None
