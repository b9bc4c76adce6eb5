from sqlalchemy import select

from portal.extensions import db
from portal.ideas.models import IdeaStatus, IdeaVote
from tests.conftest import login
from tests.ideas.helpers import follower_ids, fresh, notifications, recount, voter_ids

JSON = {"Accept": "application/json"}


def test_voting_toggles_on_and_off_and_follows(client, make_user, make_idea):
    idea = make_idea()
    voter = make_user()
    login(client, voter)
    response = client.post(f"/ideas/{idea.id}/vote", headers=JSON)
    assert response.status_code == 200
    assert response.json == {"voted": True, "votes": 2}
    assert fresh(idea.id).vote_count == 2 == recount(idea.id)
    assert voter.id in follower_ids(idea.id)

    response = client.post(f"/ideas/{idea.id}/vote", headers=JSON)
    assert response.json == {"voted": False, "votes": 1}
    assert fresh(idea.id).vote_count == 1 == recount(idea.id)
    assert voter.id in follower_ids(idea.id), "withdrawing a vote does not unfollow"


def test_vote_without_javascript_redirects_back_with_a_message(client, make_user, make_idea):
    idea = make_idea()
    login(client, make_user())
    response = client.post(f"/ideas/{idea.id}/vote", data={"intent": "add"})
    assert response.status_code == 302 and response.location == f"/ideas/{idea.id}"
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Your vote is counted." in html and 'aria-pressed="true"' in html


def test_voting_twice_is_refused_and_changes_nothing(client, make_user, make_idea):
    idea = make_idea()
    voter = make_user()
    login(client, voter)
    client.post(f"/ideas/{idea.id}/vote", data={"intent": "add"}, headers=JSON)
    response = client.post(f"/ideas/{idea.id}/vote", data={"intent": "add"}, headers=JSON)
    assert response.status_code == 409
    assert response.json["error"] == "You have already voted for this idea."
    assert fresh(idea.id).vote_count == 2 == recount(idea.id)

    response = client.post(f"/ideas/{idea.id}/vote", data={"intent": "add"})
    assert response.status_code == 302
    assert "You have already voted" in client.get(response.location).get_data(as_text=True)


def test_withdrawing_a_vote_never_cast_is_refused(client, make_user, make_idea):
    idea = make_idea()
    login(client, make_user())
    response = client.post(f"/ideas/{idea.id}/vote", data={"intent": "remove"}, headers=JSON)
    assert response.status_code == 409
    assert response.json["error"] == "You have not voted for this idea."
    assert fresh(idea.id).vote_count == 1 == recount(idea.id)


def test_no_votes_on_shipped_or_declined_ideas(client, make_user, make_idea):
    login(client, make_user())
    for status in (IdeaStatus.SHIPPED, IdeaStatus.DECLINED):
        idea = make_idea(status=status)
        response = client.post(f"/ideas/{idea.id}/vote", headers=JSON)
        assert response.status_code == 409
        assert response.json["error"] == f"Voting is closed: this idea is {status.label.lower()}."
        assert fresh(idea.id).vote_count == 1


def test_voting_on_a_merged_idea_points_to_the_target(client, make_user, make_idea):
    from portal.ideas.services import merge_ideas

    source, target = make_idea(), make_idea(title="Excel export for every report")
    staff = make_user("staff")
    merge_ideas(fresh(source.id), fresh(target.id), by=staff)
    db.session.commit()
    login(client, make_user())
    response = client.post(f"/ideas/{source.id}/vote", headers=JSON)
    assert response.status_code == 409
    assert f"merged into #{target.id} “Excel export for every report”" in response.json["error"]
    assert response.json["target_url"] == f"/ideas/{target.id}"
    assert recount(source.id) == 0 and fresh(target.id).vote_count == 2


def test_suspended_members_get_a_403_that_says_why(client, make_user, make_idea):
    idea = make_idea()
    login(client, make_user(suspended=True))
    response = client.post(f"/ideas/{idea.id}/vote")
    assert response.status_code == 403
    assert "Your account is suspended" in response.get_data(as_text=True)
    assert recount(idea.id) == 1


def test_staff_vote_on_behalf_of_a_customer_by_email_or_name(client, make_user, make_idea):
    idea = make_idea()
    staff = make_user("staff")
    customer = make_user(display_name="Luis Ortega", email="luis@example.com")
    other = make_user(display_name="Hannah Becker")
    login(client, staff)
    response = client.post(
        f"/ideas/{idea.id}/votes/behalf", data={"behalf-customer": "LUIS@example.com"}
    )
    assert response.status_code == 302
    response = client.post(
        f"/ideas/{idea.id}/votes/behalf", data={"behalf-customer": "hannah becker"}
    )
    assert response.status_code == 302
    assert voter_ids(idea.id) >= {customer.id, other.id}
    assert fresh(idea.id).vote_count == 3 == recount(idea.id)
    vote = db.session.execute(select(IdeaVote).where(IdeaVote.user_id == customer.id)).scalar_one()
    assert vote.added_by_id == staff.id
    assert {n.user_id for n in notifications("idea.vote_added")} == {customer.id, other.id}


def test_vote_on_behalf_explains_unknown_ambiguous_and_duplicate(client, make_user, make_idea):
    idea = make_idea()
    make_user(display_name="Sam Twin", email="a@example.com")
    make_user(display_name="Sam Twin", email="b@example.com")
    customer = make_user(display_name="Already There")
    login(client, make_user("product"))
    cases = {
        "Nobody Here": "No one called “Nobody Here” has an account here.",
        "Sam Twin": "More than one person is called “Sam Twin”; enter their email instead.",
    }
    for typed, message in cases.items():
        html = client.post(
            f"/ideas/{idea.id}/votes/behalf", data={"behalf-customer": typed}
        ).get_data(as_text=True)
        assert message in html
    client.post(f"/ideas/{idea.id}/votes/behalf", data={"behalf-customer": "Already There"})
    html = client.post(
        f"/ideas/{idea.id}/votes/behalf", data={"behalf-customer": "Already There"}
    ).get_data(as_text=True)
    assert "Already There has already voted for this idea." in html
    assert fresh(idea.id).vote_count == 2 == recount(idea.id)
    assert customer.id in voter_ids(idea.id)


def test_members_cannot_vote_on_behalf_of_others(client, make_user, make_idea):
    idea = make_idea()
    customer = make_user(display_name="Someone Else")
    login(client, make_user())
    response = client.post(
        f"/ideas/{idea.id}/votes/behalf", data={"behalf-customer": "Someone Else"}
    )
    assert response.status_code == 403
    assert customer.id not in voter_ids(idea.id)


def test_anyone_can_unfollow_and_follow_again(client, make_user, make_idea):
    author = make_user()
    idea = make_idea(author)
    login(client, author)
    assert client.post(f"/ideas/{idea.id}/unfollow").status_code == 302
    assert author.id not in follower_ids(idea.id)
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "You no longer follow this idea." in html and ">Follow</button>" in html
    client.post(f"/ideas/{idea.id}/follow")
    client.post(f"/ideas/{idea.id}/follow")
    assert author.id in follower_ids(idea.id)
