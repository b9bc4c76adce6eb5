"""Flags and the review queue: what members, authors and moderators see and can do."""

import csv
import io

import pytest

from portal.extensions import db
from portal.moderation.models import Flag, ModerationLogEntry, ReviewItem
from portal.notifications.models import Notification
from portal.search.indexer import apply_pending
from portal.support.models import Answer, Question
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import make_answer, make_question

RUDE = "You are an idiot, read the manual before asking anything here."


@pytest.fixture
def thread(app, make_user):
    """A question with a rude answer, and the people around it."""
    asker, rude = make_user(display_name="Asker"), make_user(display_name="Rude")
    question = make_question(author=asker, title="How do I export my invoices as PDF?")
    answer = make_answer(question, author=rude, body=RUDE)
    flaggers = [make_user(display_name=f"Flagger {n}") for n in range(3)]
    return {
        "asker": asker,
        "rude": rude,
        "question_id": question.id,
        "answer_id": answer.id,
        "flaggers": flaggers,
        "manager": make_user("manager", display_name="Manager"),
        "staff": make_user("staff", display_name="Staff"),
        "reader": make_user(display_name="Reader"),
    }


def _flag(app, user, kind, post_id, reason="rude", note=""):
    return client_for(app, user).post(
        "/flags", data={"kind": kind, "post_id": str(post_id), "reason": reason, "note": note}
    )


def _page(client, question_id) -> str:
    return client.get(f"/questions/{question_id}").get_data(as_text=True)


def test_a_flag_is_private_and_queued(app, thread):
    response = _flag(app, thread["flaggers"][0], "answer", thread["answer_id"])
    assert response.status_code == 302
    flag = db.session.scalars(db.select(Flag)).one()
    assert (flag.kind, flag.post_id, flag.reason) == ("answer", thread["answer_id"], "rude")
    item = db.session.scalars(db.select(ReviewItem)).one()
    assert item.is_open and item.flag_weight == 1
    # One flag hides nothing: everyone still reads the answer.
    assert RUDE in _page(client_for(app), thread["question_id"])
    # The queue shows it to moderators (and only to them).
    queue = client_for(app, thread["staff"]).get("/moderation").get_data(as_text=True)
    assert RUDE in queue and "Rude or abusive" in queue
    assert client_for(app, thread["reader"]).get("/moderation").status_code == 403


def test_enough_flags_hide_a_post_from_everyone_but_its_author_and_moderators(app, thread):
    for flagger in thread["flaggers"]:
        _flag(app, flagger, "answer", thread["answer_id"])
    answer = db.session.get(Answer, thread["answer_id"])
    assert answer.review_state == "hidden"
    question = db.session.get(Question, thread["question_id"])
    assert question.answer_count == 0
    for viewer in (None, thread["reader"], thread["asker"]):
        assert RUDE not in _page(client_for(app, viewer), thread["question_id"])
    author_page = _page(client_for(app, thread["rude"]), thread["question_id"])
    assert (
        RUDE in author_page and "Hidden." in author_page and "community guidelines" in author_page
    )
    assert RUDE in _page(client_for(app, thread["staff"]), thread["question_id"])
    # The unanswered list counts it as unanswered again.
    unanswered = client_for(app).get("/questions?tab=unanswered").get_data(as_text=True)
    assert "export my invoices" in unanswered
    told = db.session.scalars(
        db.select(Notification).where(Notification.user_id == thread["rude"].id)
    ).one()
    assert "hidden" in told.title
    entry = db.session.scalars(db.select(ModerationLogEntry)).one()
    assert entry.action == "auto_hide" and entry.actor_id is None


def test_approving_shows_the_post_again_and_declines_the_flags(app, thread):
    for flagger in thread["flaggers"]:
        _flag(app, flagger, "answer", thread["answer_id"])
    item = db.session.scalars(db.select(ReviewItem)).one()
    response = client_for(app, thread["manager"]).post(
        f"/moderation/items/{item.id}/approve", data={"reason": "Blunt, not abusive."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Answer, thread["answer_id"]).review_state is None
    assert db.session.get(Question, thread["question_id"]).answer_count == 1
    assert {f.status for f in db.session.scalars(db.select(Flag))} == {"declined"}
    assert RUDE in _page(client_for(app, thread["reader"]), thread["question_id"])
    assert [
        e.action
        for e in db.session.scalars(db.select(ModerationLogEntry).order_by(ModerationLogEntry.id))
    ] == [
        "auto_hide",
        "approve",
    ]


def test_a_hidden_question_leaves_lists_search_and_its_page(app, thread):
    question = make_question(title="Cheap watches replica discount zqxv")
    apply_pending()
    anonymous = client_for(app)
    assert "Cheap watches replica" in anonymous.get("/search?q=zqxv").get_data(as_text=True)
    for flagger in thread["flaggers"]:
        _flag(app, flagger, "question", question.id, reason="spam")
    apply_pending()
    assert anonymous.get(f"/questions/{question.id}").status_code == 404
    assert client_for(app, thread["reader"]).get(f"/questions/{question.id}").status_code == 404
    for path in ("/questions", "/", "/search?q=zqxv", "/search/similar?q=replica watches zqxv"):
        assert "Cheap watches replica" not in anonymous.get(path).get_data(as_text=True), path
    assert client_for(app, thread["staff"]).get(f"/questions/{question.id}").status_code == 200
    assert client_for(app, question.author).get(f"/questions/{question.id}").status_code == 200
    # Nor on its author's profile, but for the author and the moderators.
    profile = f"/users/{question.author.id}"
    assert "Cheap watches replica" not in anonymous.get(profile).get_data(as_text=True)
    for viewer in (question.author, thread["staff"]):
        page = client_for(app, viewer).get(profile).get_data(as_text=True)
        assert "Cheap watches replica" in page


def test_moderators_hide_and_delete_from_the_queue(app, thread):
    _flag(app, thread["flaggers"][0], "answer", thread["answer_id"])
    item = db.session.scalars(db.select(ReviewItem)).one()
    client_for(app, thread["staff"]).post(f"/moderation/items/{item.id}/delete")
    db.session.expire_all()
    assert db.session.get(Answer, thread["answer_id"]).is_deleted
    assert db.session.get(Flag, db.session.scalars(db.select(Flag.id)).one()).status == "upheld"
    # Acting on a handled item: a clear message, nothing changed.
    response = client_for(app, thread["manager"]).post(
        f"/moderation/items/{item.id}/approve", follow_redirects=True
    )
    assert "already handled" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Answer, thread["answer_id"]).is_deleted
    assert db.session.scalar(db.select(db.func.count()).select_from(ModerationLogEntry)) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": ""}, "Choose why"),
        ({"reason": "nonsense"}, "Not flagged"),
        ({"reason": "moderator", "note": ""}, "Add what a moderator should know"),
        ({"reason": "rude", "note": "x" * 1001}, "Not flagged"),
    ],
)
def test_bad_flags_get_a_clear_message_and_change_nothing(app, thread, data, message):
    client = client_for(app, thread["flaggers"][0])
    response = client.post(
        "/flags",
        data={"kind": "answer", "post_id": str(thread["answer_id"]), **data},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Flag)) == 0


def test_control_characters_are_refused_before_anything_is_written(app, thread):
    client = client_for(app, thread["flaggers"][0])
    response = client.post(
        "/flags", data={"kind": "answer", "post_id": str(thread["answer_id"]), "reason": "rude\x00"}
    )
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(Flag)) == 0


def test_bad_targets_and_repeats_are_refused(app, thread):
    client = client_for(app, thread["flaggers"][0])
    for kind, post_id in [("answer", "999999"), ("widget", "1"), ("answer", "9" * 40)]:
        response = client.post("/flags", data={"kind": kind, "post_id": post_id, "reason": "spam"})
        assert response.status_code in {302, 400, 404}
    _flag(app, thread["flaggers"][0], "answer", thread["answer_id"])
    again = _flag(app, thread["flaggers"][0], "answer", thread["answer_id"])
    assert again.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(Flag)) == 1
    own = _flag(app, thread["rude"], "answer", thread["answer_id"])
    assert own.status_code == 403
    assert client_for(app).post("/flags", data={"kind": "answer"}).status_code == 302  # log in


def test_a_flagger_may_retract_until_a_moderator_decides(app, thread):
    flagger = thread["flaggers"][0]
    _flag(app, flagger, "answer", thread["answer_id"])
    client_for(app, flagger).post(
        "/flags/retract", data={"kind": "answer", "post_id": str(thread["answer_id"])}
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(Flag)) == 0
    assert db.session.scalars(db.select(ReviewItem)).one().outcome == "retracted"


def test_concurrent_flags_count_once_each_and_hide_once(app, thread, make_user):
    ids = [make_user().id for _ in range(6)]
    answer_id = thread["answer_id"]

    def flag(index: int) -> None:
        from portal.accounts.models import User
        from portal.moderation.services import flag_post
        from portal.writes import write

        user = db.session.get(User, ids[index])
        write(lambda: flag_post(user, "answer", answer_id, reason="rude"))

    assert run_concurrently(app, flag, threads=6) == []
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Flag)) == 6
    item = db.session.scalars(db.select(ReviewItem)).one()
    assert item.flag_weight == 6
    assert db.session.get(Question, thread["question_id"]).answer_count == 0
    hides = db.session.scalars(
        db.select(ModerationLogEntry).where(ModerationLogEntry.action == "auto_hide")
    ).all()
    assert len(hides) == 1


def test_two_moderators_deciding_at_once_end_with_one_outcome(app, thread):
    _flag(app, thread["flaggers"][0], "answer", thread["answer_id"])
    item_id = db.session.scalars(db.select(ReviewItem.id)).one()
    moderator_ids = [thread["staff"].id, thread["manager"].id]

    def decide(index: int) -> None:
        from portal.accounts.models import User
        from portal.moderation.services import decide as decide_item
        from portal.writes import Refused

        moderator = db.session.get(User, moderator_ids[index])
        action = ("hide", "approve")[index]
        try:
            decide_item(item_id, action, moderator)
            db.session.commit()
        except Refused:
            db.session.rollback()

    assert run_concurrently(app, decide, threads=2) == []
    assert db.session.scalar(db.select(db.func.count()).select_from(ModerationLogEntry)) == 1
    item = db.session.get(ReviewItem, item_id)
    db.session.refresh(item)
    expected = "hidden" if item.outcome == "hidden" else None
    assert db.session.get(Answer, thread["answer_id"]).review_state == expected


def test_the_log_is_for_community_managers_and_exports_safely(app, thread):
    _flag(app, thread["flaggers"][0], "answer", thread["answer_id"])
    item = db.session.scalars(db.select(ReviewItem)).one()
    client_for(app, thread["staff"]).post(
        f"/moderation/items/{item.id}/hide", data={"reason": '=HYPERLINK("x")'}
    )
    manager = client_for(app, thread["manager"])
    page = manager.get("/moderation/log").get_data(as_text=True)
    assert "Staff" in page and "hide" in page
    assert manager.get("/moderation/log?action=approve").get_data(as_text=True).count(
        "<td"
    ) < page.count("<td")
    exported = manager.get("/moderation/log.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[1][2] == "hide" and rows[1][6].startswith("'=")
    assert client_for(app, thread["staff"]).get("/moderation/log").status_code == 403


def test_a_hidden_idea_leaves_the_board_and_search_and_its_comments_count(app, thread):
    from portal.ideas.models import Idea
    from portal.ideas.services import add_comment
    from tests.factories import make_idea

    idea = make_idea(title="Replica handbags wholesale qvzz")
    other = make_idea(title="Dark mode for the mobile app")
    comment = add_comment(other, thread["rude"], "Only an idiot would want dark mode here.")
    db.session.commit()
    apply_pending()
    anonymous = client_for(app)
    assert "Replica handbags" in anonymous.get("/ideas?status=all").get_data(as_text=True)
    for flagger in thread["flaggers"]:
        _flag(app, flagger, "idea", idea.id, reason="spam")
        _flag(app, flagger, "idea_comment", comment.id, reason="rude")
    apply_pending()
    for path in ("/ideas?status=all", "/ideas?sort=new", "/search?q=qvzz", "/"):
        assert "Replica handbags" not in anonymous.get(path).get_data(as_text=True), path
    assert anonymous.get(f"/ideas/{idea.id}").status_code == 404
    assert client_for(app, idea.author).get(f"/ideas/{idea.id}").status_code == 200
    db.session.expire_all()
    assert db.session.get(Idea, other.id).comment_count == 0
    assert "Only an idiot" not in client_for(app, thread["reader"]).get(
        f"/ideas/{other.id}"
    ).get_data(as_text=True)
    own = client_for(app, thread["rude"]).get(f"/ideas/{other.id}").get_data(as_text=True)
    assert "Only an idiot" in own and "Hidden." in own


def test_a_hidden_post_deleted_later_leaves_the_counts_once(app, thread):
    from portal.support.recount import recount
    from portal.support.services import add_comment

    comment = add_comment(thread["rude"], db.session.get(Question, thread["question_id"]), RUDE)
    db.session.commit()
    for flagger in thread["flaggers"]:
        _flag(app, flagger, "answer", thread["answer_id"])
        _flag(app, flagger, "comment", comment.id)
    staff = client_for(app, thread["staff"])
    for item_id in db.session.scalars(db.select(ReviewItem.id)).all():
        staff.post(f"/moderation/items/{item_id}/delete")
    db.session.expire_all()
    question = db.session.get(Question, thread["question_id"])
    assert (question.answer_count, question.comment_count) == (0, 0)
    assert recount(fix=False) == []


def test_the_queue_costs_the_same_statements_for_few_or_many_items(app, thread, count_queries):
    """One flagged post of each kind, then three of each: the page's statements stay put."""
    from portal.ideas.services import add_comment as comment_on_idea
    from portal.support.services import add_comment
    from tests.factories import make_idea

    def flag_one_of_each(n: int) -> None:
        question = make_question(title=f"Spam question number {n} here")
        answer = make_answer(question, body=f"Spam answer number {n}, buy now.")
        comment = add_comment(thread["reader"], answer, f"Spam comment {n}")
        idea = make_idea(title=f"Spam idea number {n}")
        idea_comment = comment_on_idea(idea, thread["reader"], f"Spam idea comment {n}")
        db.session.commit()
        for kind, post_id in [
            ("question", question.id),
            ("answer", answer.id),
            ("comment", comment.id),
            ("idea", idea.id),
            ("idea_comment", idea_comment.id),
        ]:
            _flag(app, thread["flaggers"][0], kind, post_id, reason="spam")

    staff = client_for(app, thread["staff"])

    def statements() -> int:
        with count_queries() as counter:
            page = staff.get("/moderation")
        assert page.status_code == 200
        return len(counter.statements)

    flag_one_of_each(1)
    staff.get("/moderation")  # the first visit also notes the session's use
    few = statements()
    flag_one_of_each(2)
    flag_one_of_each(3)
    assert "Spam idea comment 3" in staff.get("/moderation").get_data(as_text=True)
    assert statements() == few


def test_an_author_who_edits_a_hidden_post_sends_it_back_for_review(app, thread):
    _flag(app, thread["flaggers"][0], "answer", thread["answer_id"])
    item = db.session.scalars(db.select(ReviewItem)).one()
    client_for(app, thread["staff"]).post(f"/moderation/items/{item.id}/hide")
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(ReviewItem).where(ReviewItem.closed_at.is_(None))
        )
        == 0
    )
    civil = "Have a look at the manual's export chapter: it covers invoices as PDF."
    client_for(app, thread["rude"]).post(
        f"/answers/{thread['answer_id']}/edit", data={"body": civil}
    )
    reopened = db.session.scalars(db.select(ReviewItem).where(ReviewItem.closed_at.is_(None))).one()
    assert (reopened.reason, reopened.post_id) == ("resubmitted", thread["answer_id"])
    assert "Edited after hiding" in client_for(app, thread["staff"]).get("/moderation").get_data(
        as_text=True
    )
    client_for(app, thread["staff"]).post(f"/moderation/items/{reopened.id}/approve")
    assert civil in _page(client_for(app, thread["reader"]), thread["question_id"])
