"""Notifying many people is one INSERT ... SELECT (for a status change, written by the worker
after commit): pinned here against the plain way (load the audience into Python, drop the
actor, one row each) for status changes, comments and merges."""

from sqlalchemy import select

from portal.extensions import db
from portal.ideas.models import IdeaFollower, IdeaVote
from portal.ideas.services import add_comment, cast_vote, change_status, follow, merge_ideas
from portal.notifications.models import Notification, PendingNotification
from portal.notifications.services import write_pending
from tests.ideas.helpers import fresh


def _crowd(make_user, make_idea, *, title: str):
    """An idea whose author also votes, with voters, followers, people who do both, and a
    product manager who votes and follows too (the actor: never notified)."""
    author = make_user()
    idea = make_idea(author, title=title)
    product = make_user("product")
    voters = [make_user() for _ in range(6)]
    for person in [*voters, product]:
        cast_vote(fresh(idea.id), person)
    for person in [*voters[:3], make_user(), make_user(), product]:
        follow(fresh(idea.id), person)
    db.session.commit()
    return fresh(idea.id), product


def _plain_audience(idea_id: int, *, followers: bool = True, voters: bool = True) -> set[int]:
    ids = {fresh(idea_id).author_id}
    if voters:
        ids |= set(db.session.scalars(select(IdeaVote.user_id).where(IdeaVote.idea_id == idea_id)))
    if followers:
        ids |= set(
            db.session.scalars(select(IdeaFollower.user_id).where(IdeaFollower.idea_id == idea_id))
        )
    return ids


def _rows(kind: str) -> list[tuple]:
    return db.session.execute(
        select(
            Notification.user_id,
            Notification.actor_id,
            Notification.title,
            Notification.note,
            Notification.url,
            Notification.created_at,
        )
        .where(Notification.kind == kind)
        .order_by(Notification.id)
    ).all()


def _inserts(counter) -> list[str]:
    return [s for s in counter.statements if s.lstrip().upper().startswith("INSERT INTO NOTIF")]


def test_status_change_notifies_the_audience_once_each_in_one_statement(
    app, make_user, make_idea, count_queries
):
    idea, product = _crowd(make_user, make_idea, title="Dark mode")
    expected = _plain_audience(idea.id) - {product.id}
    write_pending()  # the new idea's own, for those who watch its product area
    with count_queries() as counter:
        change_status(idea, "planned", note="Spring release.", by=product)
    db.session.commit()
    assert _inserts(counter) == [] and _rows("idea.status_changed") == []
    with count_queries() as counter:
        assert write_pending() == 1
    assert len(_inserts(counter)) == 1
    assert db.session.scalars(db.select(PendingNotification)).all() == []
    assert write_pending() == 0  # written once
    rows = _rows("idea.status_changed")
    assert [row.user_id for row in rows] == sorted(expected)
    assert {row[1:5] for row in rows} == {
        (product.id, "“Dark mode” is now Planned", "Spring release.", f"/ideas/{idea.id}")
    }
    assert len({row.created_at for row in rows}) == 1 and rows[0].created_at is not None


def test_comment_notifies_followers_and_author_but_not_the_commenter(app, make_user, make_idea):
    idea, product = _crowd(make_user, make_idea, title="Offline maps")
    expected = _plain_audience(idea.id, voters=False) - {product.id}
    add_comment(idea, product, "We are looking at this.")
    db.session.commit()
    rows = _rows("idea.commented")
    assert [row.user_id for row in rows] == sorted(expected)
    assert {(row.actor_id, row.note) for row in rows} == {(product.id, None)}


def test_merge_notifies_the_sources_voters_and_author_as_they_were(app, make_user, make_idea):
    source, product = _crowd(make_user, make_idea, title="Night theme")
    target = make_idea(title="Dark mode")
    expected = _plain_audience(source.id, followers=False) - {product.id}
    merge_ideas(source, fresh(target.id), by=product)
    db.session.commit()
    rows = _rows("idea.merged")
    assert [row.user_id for row in rows] == sorted(expected)
    assert {row[1:5] for row in rows} == {
        (
            product.id,
            "“Night theme” was merged into “Dark mode”",
            f"Merged into #{target.id} “Dark mode”.",
            f"/ideas/{target.id}",
        )
    }


def test_a_few_ids_skip_the_actor_missing_people_and_nobody(app, make_user):
    from portal.notifications.services import notify

    actor, someone = make_user(), make_user()
    notify([actor.id, None], kind="x", title="t", url="/", actor=actor)
    notify([someone.id, someone.id, actor.id], kind="x", title="t", url="/", actor=actor)
    assert [row.user_id for row in _rows("x")] == [someone.id]


def test_a_fan_out_that_fails_is_kept_and_the_rest_written(app, make_user, make_idea, caplog):
    from portal.notifications.services import notify_later

    idea, product = _crowd(make_user, make_idea, title="Widgets")
    write_pending()  # the new idea's own
    notify_later("nobody-registered-this", 1, kind="x", title="t", url="/", actor=product)
    change_status(idea, "planned", note="", by=product)
    db.session.commit()
    assert write_pending() == 1
    assert [p.audience for p in db.session.scalars(db.select(PendingNotification))] == [
        "nobody-registered-this"
    ]
    assert "not written (kept)" in caplog.text
    assert len(_rows("idea.status_changed")) == len(_plain_audience(idea.id) - {product.id})


def test_workers_at_the_same_moment_write_each_fan_out_once(app, make_user, make_idea):
    from tests.concurrency import run_concurrently

    ideas = []
    for n in range(6):
        idea, product = _crowd(make_user, make_idea, title=f"Idea {n}")
        change_status(idea, "planned", note="", by=product)
        db.session.commit()
        ideas.append(idea.id)
    expected = sum(len(_plain_audience(i)) - 1 for i in ideas)

    def worker(_index: int) -> None:
        while write_pending(limit=1):
            pass

    assert run_concurrently(app, worker, threads=3) == []
    assert len(_rows("idea.status_changed")) == expected
