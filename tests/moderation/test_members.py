"""What moderators do to a member beyond a post: a private warning naming the guideline broken,
a suspension for a day, a week or until lifted (ending by itself), and appeals against a hidden
post or a suspension."""

from datetime import timedelta

import pytest

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.moderation.models import ModerationLogEntry, ReviewItem
from portal.notifications.models import Notification
from tests.conftest import client_for
from tests.factories import make_question


def _fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_a_warning_is_private_names_the_guideline_and_is_logged(app, make_user):
    member, staff = make_user(), make_user("staff")
    queue = client_for(app, staff)
    response = queue.post(
        f"/moderation/members/{member.id}/warn",
        data={"guideline": "Be respectful", "message": "Please keep it civil."},
        follow_redirects=True,
    )
    assert "is warned, privately" in response.get_data(as_text=True)
    told = db.session.scalars(db.select(Notification).where(Notification.user_id == member.id))
    (warning,) = told.all()
    assert warning.title == "A moderator’s warning: Be respectful"
    assert warning.note == "Please keep it civil."
    entry = db.session.scalars(db.select(ModerationLogEntry)).one()
    assert (entry.action, entry.target_user_id) == ("warn", member.id)
    # A guideline that is not in the guidelines: refused, nothing sent.
    response = queue.post(
        f"/moderation/members/{member.id}/warn",
        data={"guideline": "Made up"},
        follow_redirects=True,
    )
    assert "No warning sent" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 1


def test_a_suspension_for_a_day_ends_by_itself(app, make_user):
    member, manager = make_user(), make_user("manager")
    question = make_question()
    client_for(app, manager).post(
        f"/moderation/members/{member.id}/suspend",
        data={"period": "day", "reason": "Insults in three answers"},
    )
    member = _fresh(member)
    assert member.is_suspended
    assert abs(member.suspended_until - (utcnow() + timedelta(days=1))) < timedelta(minutes=1)
    refused = client_for(app, member).post(
        f"/questions/{question.id}/answers", data={"body": "x" * 40}
    )
    assert refused.status_code == 403 and "until" in refused.get_data(as_text=True)
    entry = db.session.scalars(db.select(ModerationLogEntry)).one()
    assert (entry.action, entry.after) == ("suspend", "for a day")
    # A day later the suspension is over, with no job to lift it.
    member.suspended_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not _fresh(member).is_suspended
    posted = client_for(app, member).post(
        f"/questions/{question.id}/answers", data={"body": "Back again, and civil this time."}
    )
    assert posted.status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "-7", "reason": "spam"}, "Not a valid choice"),
        ({"period": "week", "reason": ""}, "Say why"),
        ({"period": "week", "reason": "x" * 301}, "Not suspended"),
    ],
)
def test_bad_suspensions_are_refused_and_change_nothing(app, make_user, data, message):
    member, staff = make_user(), make_user("staff")
    response = client_for(app, staff).post(
        f"/moderation/members/{member.id}/suspend", data=data, follow_redirects=True
    )
    assert message in response.get_data(as_text=True)
    assert not _fresh(member).is_suspended


def test_moderators_cannot_warn_or_suspend_the_team_and_members_cannot_at_all(app, make_user):
    staff, admin, member = make_user("staff"), make_user("admin"), make_user()
    response = client_for(app, staff).post(
        f"/moderation/members/{admin.id}/suspend",
        data={"period": "lifted", "reason": "no"},
        follow_redirects=True,
    )
    assert "an admin handles the team" in response.get_data(as_text=True)
    assert not _fresh(admin).is_suspended
    forbidden = client_for(app, member).post(
        f"/moderation/members/{staff.id}/warn", data={"guideline": "Be respectful"}
    )
    assert forbidden.status_code == 403


def test_a_hidden_posts_author_appeals_once_and_approval_shows_it(app, make_user):
    from portal.moderation.services import decide, flag_post
    from portal.support.models import Answer
    from tests.factories import make_answer

    author, staff, reader = make_user(), make_user("staff"), make_user()
    question = make_question(title="Where is the export button?")
    answer = make_answer(question, author=author, body="It is under Settings, Data, Export.")
    flag_post(make_user(), "answer", answer.id, reason="spam")
    db.session.commit()
    item = db.session.scalars(db.select(ReviewItem)).one()
    decide(item.id, "hide", staff)
    db.session.commit()
    page = client_for(app, author).get(f"/questions/{question.id}").get_data(as_text=True)
    assert "Appeal: ask the moderators to look again" in page
    appeal = {"kind": "answer", "post_id": str(answer.id), "appeal": "It answers the question."}
    client = client_for(app, author)
    response = client.post("/appeals", data=appeal, follow_redirects=True)
    assert "Your appeal is sent" in response.get_data(as_text=True)
    again = client.post("/appeals", data=appeal, follow_redirects=True)
    assert "already appealed" in again.get_data(as_text=True)
    stranger = client_for(app, reader).post("/appeals", data=appeal, follow_redirects=True)
    assert "Only its author" in stranger.get_data(as_text=True)
    (open_item,) = db.session.scalars(
        db.select(ReviewItem).where(ReviewItem.closed_at.is_(None))
    ).all()
    assert (open_item.reason, open_item.appeal) == ("appeal", "It answers the question.")
    queue = client_for(app, staff).get("/moderation").get_data(as_text=True)
    assert "appeals:" in queue and "It answers the question." in queue
    client_for(app, staff).post(f"/moderation/items/{open_item.id}/approve")
    db.session.expire_all()
    assert db.session.get(Answer, answer.id).review_state is None


def test_a_suspended_member_appeals_and_a_moderator_lifts_or_keeps_it(app, make_user):
    member, manager = make_user(), make_user("manager")
    client_for(app, manager).post(
        f"/moderation/members/{member.id}/suspend",
        data={"period": "lifted", "reason": "Spam links"},
    )
    client = client_for(app, _fresh(member))
    assert "Appeal the suspension" in client.get("/").get_data(as_text=True)
    sent = client.post(
        "/appeals",
        data={"kind": "suspension", "appeal": "My account was hacked; I changed my password."},
        follow_redirects=True,
    )
    assert "Your appeal is sent" in sent.get_data(as_text=True)
    twice = client.post(
        "/appeals", data={"kind": "suspension", "appeal": "Please?"}, follow_redirects=True
    )
    assert "already appealed this suspension" in twice.get_data(as_text=True)
    item = db.session.scalars(db.select(ReviewItem).where(ReviewItem.closed_at.is_(None))).one()
    queue = client_for(app, manager).get("/moderation").get_data(as_text=True)
    assert "Suspension appeal" in queue and "Lift the suspension" in queue
    refused = client_for(app, manager).post(
        f"/moderation/items/{item.id}/delete", follow_redirects=True
    )
    assert "Lift the suspension or keep it" in refused.get_data(as_text=True)
    client_for(app, manager).post(f"/moderation/items/{item.id}/approve", data={"reason": "Fair."})
    assert not _fresh(member).is_suspended
    told = db.session.scalars(
        db.select(Notification).where(Notification.kind == "moderation.appeal")
    ).one()
    assert "suspension is lifted" in told.title and told.note == "Fair."
    actions = [
        e.action
        for e in db.session.scalars(db.select(ModerationLogEntry).order_by(ModerationLogEntry.id))
    ]
    assert actions == ["suspend", "appeal", "lift_suspension"]


def test_a_moderators_edit_of_a_members_post_is_logged_with_before_and_after(app, make_user):
    from tests.factories import make_answer

    author, staff, manager = make_user(), make_user("staff"), make_user("manager")
    answer = make_answer(make_question(), author=author, body="Call me on 555-0100 for help.")
    client_for(app, author).post(
        f"/answers/{answer.id}/edit", data={"body": "My own fix, second version: restart the sync."}
    )
    client_for(app, staff).post(
        f"/answers/{answer.id}/edit", data={"body": "Contact support through the help page."}
    )
    entry = db.session.scalars(db.select(ModerationLogEntry)).one()  # the author's edit: none
    assert (entry.action, entry.actor_id, entry.target_user_id) == ("edit", staff.id, author.id)
    assert (entry.before, entry.after) == (
        "My own fix, second version: restart the sync.",
        "Contact support through the help page.",
    )
    log = client_for(app, manager).get("/moderation/log?action=edit").get_data(as_text=True)
    assert (
        "My own fix, second version: restart the sync." in log
        and "Contact support through the help page." in log
    )


def test_a_deleted_idea_stays_hidden_for_good(app, make_user):
    from portal.ideas.models import Idea
    from portal.moderation.services import decide, flag_post
    from tests.factories import make_idea

    author, staff = make_user(), make_user("staff")
    idea = make_idea(author, title="Buy cheap followers at our shop")
    flag_post(make_user(), "idea", idea.id, reason="spam")
    db.session.commit()
    decide(db.session.scalars(db.select(ReviewItem.id)).one(), "delete", staff)
    db.session.commit()
    client = client_for(app, author)
    edited = client.post(
        f"/ideas/{idea.id}/edit", data={"title": "A real idea now, honestly", "description": "x"}
    )
    assert edited.status_code == 302  # saved, and still not back in the queue
    refused = client.post(
        "/appeals",
        data={"kind": "idea", "post_id": str(idea.id), "appeal": "Please"},
        follow_redirects=True,
    )
    assert "it can’t be appealed" in refused.get_data(as_text=True)
    open_items = db.session.scalar(
        db.select(db.func.count()).select_from(ReviewItem).where(ReviewItem.closed_at.is_(None))
    )
    assert open_items == 0
    assert db.session.get(Idea, idea.id).review_state == "hidden"
