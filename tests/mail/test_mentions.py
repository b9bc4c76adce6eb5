"""@mentions: a name that fits one active member links to them and notifies them (in the app
and by mail); any other stays plain text; the editor's autocomplete offers the names."""

from portal.extensions import db
from portal.notifications.models import Notification
from tests import factories
from tests.conftest import client_for


def _answer(app, question, body: str, author=None):
    author = author or factories.make_user(display_name="Helpful Hana")
    response = client_for(app, author).post(
        f"/questions/{question.id}/answers", data={"body": body}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(
        db.text("SELECT body_html FROM answers ORDER BY id DESC LIMIT 1")
    ).one()


def _mentions_of(user) -> list[Notification]:
    db.session.expire_all()
    return db.session.scalars(
        db.select(Notification).where(
            Notification.user_id == user.id, Notification.kind.like("mention.%")
        )
    ).all()


def test_a_mention_links_to_the_member_and_reaches_them_by_mail(app, mailbox, worker_pass):
    casey = factories.make_user(display_name="Casey Fischer")
    question = factories.make_question(title="Sync stops at night")
    html = _answer(app, question, "Same here. @Casey_Fischer, did the 5.4 update fix it for you?")
    assert f'<a href="/users/{casey.id}" rel="nofollow ugc noopener">@Casey_Fischer</a>' in html
    [notification] = _mentions_of(casey)
    assert notification.title == "Helpful Hana mentioned you in an answer to “Sync stops at night”"
    assert notification.about_kind == "answer"
    worker_pass()
    assert "mentioned you" in str(mailbox.wait_for(casey.email)["Subject"])


def test_a_suspended_unknown_or_shared_name_stays_plain_text(app, worker_pass):
    suspended = factories.make_user(display_name="Sam Banned", suspended=True)
    factories.make_user(display_name="Alex Twin")
    factories.make_user(display_name="Alex Twin")
    question = factories.make_question()
    html = _answer(app, question, "Ask @Sam_Banned, @Nobody_Here or @Alex_Twin about it.")
    assert "<a" not in html
    assert "@Sam_Banned, @Nobody_Here or @Alex_Twin" in html
    assert _mentions_of(suspended) == []
    assert (
        db.session.scalars(db.select(Notification).where(Notification.kind.like("mention.%"))).all()
        == []
    )


def test_code_links_and_mail_addresses_are_not_mentions(app):
    casey = factories.make_user(display_name="Casey")
    question = factories.make_question()
    html = _answer(app, question, "Run `@Casey` or mail ops@Casey.example, see [@Casey](/x).")
    assert f'href="/users/{casey.id}"' not in html
    assert _mentions_of(casey) == []


def test_mentions_in_questions_ideas_and_comments_notify(app):
    casey = factories.make_user(display_name="Casey Fischer")
    author = factories.make_user()
    client = client_for(app, author)
    question = factories.make_question(author, body="Pinging @casey_fischer, who saw this too.")
    client.post(
        f"/questions/{question.id}/comments",
        data={f"question-{question.id}-body": "And @Casey_Fischer: which version?"},
    )
    idea = factories.make_idea(author, body="As @Casey_Fischer asked for it.")
    client.post(f"/ideas/{idea.id}/comments", data={"comment-body": "Cc @Casey_Fischer."})
    kinds = sorted(n.kind for n in _mentions_of(casey))
    assert kinds == ["mention.comment", "mention.idea", "mention.idea_comment", "mention.question"]


def test_the_autocomplete_offers_active_members_with_one_name(app):
    factories.make_user(display_name="Casey Fischer", reputation=50)
    factories.make_user(display_name="Carla Diaz")
    factories.make_user(display_name="Casey Twin")
    factories.make_user(display_name="Casey Twin")
    factories.make_user(display_name="Cass Banned", suspended=True)
    client = client_for(app, factories.make_user())
    found = client.get("/mentions?q=cas").get_json()["members"]
    assert found == [{"name": "Casey Fischer", "handle": "Casey_Fischer"}]
    assert client.get("/mentions?q=Casey_F").get_json()["members"] == found
    assert client.get("/mentions?q=%25").get_json()["members"] == []  # no wildcard
    assert client.get("/mentions?q=" + "c" * 5000).get_json()["members"] == []
    assert client.get("/mentions").get_json()["members"] == []


def test_a_watcher_who_is_mentioned_hears_once(app):
    casey = factories.make_user(display_name="Casey Fischer")
    question = factories.make_question()
    client_for(app, casey).post(f"/follow/question/{question.id}", data={"level": "watching"})
    _answer(app, question, "@Casey_Fischer this is the fix you asked about.")
    db.session.expire_all()
    kinds = db.session.scalars(
        db.select(Notification.kind).where(Notification.user_id == casey.id)
    ).all()
    assert kinds == ["mention.answer"]


def test_an_edit_tells_only_the_members_it_newly_names(app):
    casey = factories.make_user(display_name="Casey Fischer")
    dana = factories.make_user(display_name="Dana Ortiz")
    author = factories.make_user()
    client = client_for(app, author)
    question = factories.make_question(author, body="Pinging @Casey_Fischer about the sync.")
    body = "Pinging @Casey_Fischer about the sync, and @Dana_Ortiz who runs it."
    form = {"title": question.title, "body": body, "area": question.product_area.slug}
    assert client.post(f"/questions/{question.id}/edit", data=form).status_code == 302
    answer = factories.make_answer(question, author, body="Try a restart.")
    client.post(f"/answers/{answer.id}/edit", data={"body": "Try a restart, @Casey_Fischer."})
    idea = factories.make_idea(author, title="Export to Excel", body="For finance.")
    client.post(
        f"/ideas/{idea.id}/edit",
        data={"title": idea.title, "description": "For @Dana_Ortiz in finance."},
    )
    # Casey heard when the question was asked, so its edit does not tell him again.
    assert sorted(n.kind for n in _mentions_of(casey)) == ["mention.answer", "mention.question"]
    assert sorted(n.kind for n in _mentions_of(dana)) == ["mention.idea", "mention.question"]
    # Saving the same names again tells nobody twice.
    client.post(f"/answers/{answer.id}/edit", data={"body": "Try a reboot, @Casey_Fischer."})
    assert len(_mentions_of(casey)) == 2


def test_an_edit_to_a_held_post_names_nobody_until_it_is_approved(app):
    casey = factories.make_user(display_name="Casey Fischer")
    author = factories.make_user()
    question = factories.make_question(author, body="Sync stops.", review_state="pending")
    form = {
        "title": question.title,
        "body": "Sync stops, @Casey_Fischer.",
        "area": question.product_area.slug,
    }
    client_for(app, author).post(f"/questions/{question.id}/edit", data=form)
    assert _mentions_of(casey) == []
