"""Watching and muting product areas, tags and questions: the control on their pages, and
what each level brings in notifications and mail."""

import pytest

from portal.extensions import db
from portal.follows.models import Follow
from portal.ideas import services as ideas_services
from portal.notifications.models import Notification
from portal.support import services as support_services
from tests import factories
from tests.conftest import client_for


def _set(app, user, kind, target_id, level, **extra):
    return client_for(app, user).post(f"/follow/{kind}/{target_id}", data={"level": level, **extra})


def _notified(user) -> list[str]:
    db.session.expire_all()
    return db.session.scalars(
        db.select(Notification.kind)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id)
    ).all()


def test_a_level_is_kept_changed_and_cleared(app):
    member, area = factories.make_user(), factories.make_area("Billing")
    response = _set(app, member, "area", area.id, "watching")
    assert response.status_code == 302 and response.location == f"/questions?area={area.slug}"
    follow = db.session.scalars(db.select(Follow)).one()
    assert (follow.user_id, follow.target_kind, follow.target_id, follow.level) == (
        member.id,
        "area",
        area.id,
        "watching",
    )
    _set(app, member, "area", area.id, "watching")  # again: still one
    _set(app, member, "area", area.id, "muted")
    db.session.expire_all()
    assert db.session.scalars(db.select(Follow.level)).all() == ["muted"]
    _set(app, member, "area", area.id, "normal")
    assert db.session.scalars(db.select(Follow)).all() == []


@pytest.mark.parametrize("level", ["loud", "", "9" * 400])
def test_a_level_not_offered_is_refused_and_nothing_kept(app, level):
    member, area = factories.make_user(), factories.make_area()
    client = client_for(app, member)
    response = client.post(f"/follow/area/{area.id}", data={"level": level})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Choose watching, normal or muted." in page
    assert client.post(f"/follow/area/{area.id}", data={"level": "watching\x00"}).status_code == 400
    assert db.session.scalars(db.select(Follow)).all() == []


def test_what_does_not_exist_or_may_not_be_seen_cannot_be_followed(app):
    member = factories.make_user()
    question = factories.make_question()
    support_services.set_review_state(question, "hidden")
    db.session.commit()
    assert _set(app, member, "question", question.id, "watching").status_code == 404
    assert _set(app, member, "area", 999999, "watching").status_code == 404
    assert _set(app, member, "idea_board", 1, "watching").status_code == 404
    assert _set(app, member, "tag", 2**70, "watching").status_code == 404
    assert db.session.scalars(db.select(Follow)).all() == []


def test_each_member_sees_their_own_level_on_a_kept_page(app):
    watcher, other = factories.make_user(), factories.make_user()
    question = factories.make_question(tags=["sync"])
    tag_id = question.tags[0].id
    _set(app, watcher, "question", question.id, "watching")
    _set(app, watcher, "tag", tag_id, "muted")
    for user, question_level, tag_level in [
        (watcher, "watching", "muted"),
        (other, "normal", "normal"),
        (watcher, "watching", "muted"),
    ]:
        client = client_for(app, user)
        page = client.get(f"/questions/{question.id}").get_data(as_text=True)
        assert f'<option value="{question_level}" selected>' in page
        assert page.count(" selected>") == 1
        listing = client.get("/questions?tag=sync").get_data(as_text=True)
        assert f'<option value="{tag_level}" selected>' in listing
    visitor = app.test_client().get(f"/questions/{question.id}").get_data(as_text=True)
    assert "Log in to watch this question" in visitor and " selected>" not in visitor


def test_watching_an_area_or_tag_brings_its_new_questions_and_ideas(app, mailbox, worker_pass):
    area_watcher, tag_watcher, bystander = (factories.make_user() for _ in range(3))
    area = factories.make_area("Mobile app")
    question = factories.make_question(area=factories.make_area(), tags=["offline"])
    worker_pass()  # its fan-out is written before anyone watches
    _set(app, area_watcher, "area", area.id, "watching")
    _set(app, tag_watcher, "tag", question.tags[0].id, "watching")
    asked = factories.make_question(area=area, title="Sync stops when the phone sleeps")
    tagged = factories.make_question(tags=["offline"], title="Offline edits lost")
    factories.make_idea(area=area, title="A widget for the home screen")
    worker_pass()
    assert _notified(area_watcher) == ["watch.question", "watch.idea"]
    assert _notified(tag_watcher) == ["watch.question"]
    assert _notified(bystander) == []
    [mail] = mailbox.to(tag_watcher.email)
    plain = next(part for part in mail.walk() if part.get_content_type() == "text/plain")
    assert f"http://localhost/questions/{tagged.id}/" in plain.get_payload(decode=True).decode()
    titles = db.session.scalars(
        db.select(Notification.title)
        .where(Notification.user_id == area_watcher.id)
        .order_by(Notification.id)
    ).all()
    assert titles[0] == f"New question in Mobile app: “{asked.title}”"


def test_muting_a_tag_wins_over_watching_its_area(app, worker_pass):
    member, area = factories.make_user(), factories.make_area()
    tagged = factories.make_question(tags=["billing"])
    worker_pass()
    _set(app, member, "area", area.id, "watching")
    _set(app, member, "tag", tagged.tags[0].id, "muted")
    factories.make_question(area=area, tags=["billing"])
    factories.make_question(area=area, tags=["login"])
    worker_pass()
    assert _notified(member) == ["watch.question"]


def test_watching_a_question_brings_its_answers_and_comments_once(app, worker_pass):
    asker, watcher = factories.make_user(), factories.make_user()
    question = factories.make_question(asker)
    _set(app, watcher, "question", question.id, "watching")
    _set(app, asker, "question", question.id, "watching")  # hears once, as the asker
    helper = factories.make_user()
    answer = factories.make_answer(question, helper)
    support_services.add_comment(helper, question, "Which version are you on?")
    db.session.commit()
    worker_pass()
    assert _notified(watcher) == ["watch.answer", "watch.comment"]
    assert _notified(asker) == ["answer.posted", "comment.posted"]
    assert answer.id  # the helper is told nothing about their own posts
    assert _notified(helper) == []


def test_muting_a_question_silences_even_answers_to_its_asker(app, mailbox, worker_pass):
    asker = factories.make_user()
    question = factories.make_question(asker)
    _set(app, asker, "question", question.id, "muted")
    factories.make_answer(question)
    worker_pass()
    assert _notified(asker) == []
    assert mailbox.to(asker.email) == []


def test_the_settings_page_lists_what_a_member_watches_and_mutes(app):
    member, area = factories.make_user(), factories.make_area("Reports")
    question, hidden = factories.make_question(), factories.make_question()
    _set(app, member, "area", area.id, "watching")
    _set(app, member, "question", question.id, "muted")
    _set(app, member, "question", hidden.id, "watching")
    support_services.set_review_state(hidden, "hidden")
    db.session.commit()
    page = client_for(app, member).get("/settings/notifications").get_data(as_text=True)
    assert 'Reports</a> <span class="muted">(product area)</span>: <strong>Watching' in page
    assert f'{question.title}”</a> <span class="muted">(question)</span>: <strong>Muted' in page
    assert hidden.title not in page
    assert "New posts in what I watch" in page


def test_a_muted_idea_tells_its_voter_and_author_nothing(app, worker_pass):
    author, muter, voter = (factories.make_user() for _ in range(3))
    idea = factories.make_idea(author, title="Dark mode for the dashboard")
    for member in (muter, voter):
        ideas_services.cast_vote(idea, member)
    db.session.commit()
    worker_pass()
    _set(app, muter, "idea", idea.id, "muted")
    _set(app, author, "idea", idea.id, "muted")
    ideas_services.change_status(idea, "planned", note="", by=factories.make_user("product"))
    ideas_services.add_comment(idea, factories.make_user(), "Can't wait for this one.")
    db.session.commit()
    worker_pass()
    assert _notified(muter) == [] and _notified(author) == []
    assert sorted(_notified(voter)) == ["idea.commented", "idea.status_changed"]
    page = client_for(app, muter).get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert '<option value="muted" selected>' in page
    other = client_for(app, voter).get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert '<option value="normal" selected>' in other


def test_an_idea_is_followed_with_its_own_button_not_watched(app):
    member, idea = factories.make_user(), factories.make_idea()
    client = client_for(app, member)
    response = client.post(f"/follow/idea/{idea.id}", data={"level": "watching"})
    assert "Choose normal or muted." in client.get(response.location).get_data(as_text=True)
    assert db.session.scalars(db.select(Follow)).all() == []
