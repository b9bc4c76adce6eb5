"""Trust levels: earned from what a member has done, explained on their profile, set and
locked by community managers, and weighing flags."""

from datetime import timedelta

from portal.accounts.models import User, VisitDay
from portal.clock import utcnow
from portal.extensions import db
from portal.moderation.models import ModerationLogEntry, ReviewItem
from portal.moderation.trust import BASIC, LEADER, MEMBER, NEW, REGULAR, refresh
from portal.notifications.models import Notification
from portal.support.models import Answer
from tests.conftest import client_for, login
from tests.factories import make_answer, make_question


def _member(make_user, *, days=3, visits=0, answers=0, level=NEW, **fields):
    fields.setdefault("email_confirmed_at", utcnow() - timedelta(days=days))
    user = make_user(trust_level=level, **fields)
    today = utcnow().date()
    for n in range(visits):
        db.session.add(VisitDay(user_id=user.id, day=today - timedelta(days=n + 1)))
    if answers:
        question = make_question()
        for _ in range(answers):
            make_answer(question, author=user)
    db.session.commit()
    return user


def test_levels_are_earned_step_by_step_and_promotions_are_told(app, make_user):
    almost = _member(make_user, visits=2, answers=1)
    assert refresh(almost) == NEW  # one post short of basic
    basic = _member(make_user, visits=2, answers=2)
    assert refresh(basic) == BASIC
    member = _member(make_user, days=8, visits=10, answers=10)
    assert refresh(member) == MEMBER
    unconfirmed = _member(make_user, visits=20, answers=12, email_confirmed_at=None)
    assert refresh(unconfirmed) == NEW
    db.session.commit()
    told = db.session.scalars(
        db.select(Notification).where(Notification.user_id == member.id)
    ).one()
    assert told.kind == "trust.promoted" and "member" in told.title
    entry = db.session.scalars(
        db.select(ModerationLogEntry).where(ModerationLogEntry.target_user_id == member.id)
    ).one()
    assert (entry.action, entry.before, entry.after) == ("trust_level", "new", "member")


def test_a_day_visited_is_counted_at_sign_in_and_may_earn_a_level(app, make_user):
    user = _member(make_user, visits=1, answers=2)
    assert refresh(user) == NEW
    login(app.test_client(), user)  # today: the second day visited
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.trust_level == BASIC
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(VisitDay).where(VisitDay.user_id == user.id)
        )
        == 2
    )
    login(app.test_client(), user)  # the same day again: counted once
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(VisitDay).where(VisitDay.user_id == user.id)
        )
        == 2
    )


def test_levels_do_not_fall_but_regular_lapses_to_member(app, make_user):
    basic = _member(make_user, level=BASIC)
    assert refresh(basic) == BASIC
    regular = _member(make_user, level=REGULAR, days=10, visits=10, answers=10)
    assert refresh(regular) == MEMBER


def test_posts_hidden_after_flags_hold_a_member_back(app, make_user):
    user = _member(make_user, days=8, visits=10, answers=13)
    answers = db.session.scalars(db.select(Answer).where(Answer.author_id == user.id)).all()
    for answer in answers[:3]:
        db.session.add(
            ReviewItem(
                kind="answer",
                post_id=answer.id,
                author_id=user.id,
                reason="flagged",
                closed_at=utcnow(),
                outcome="hidden",
            )
        )
    db.session.commit()
    assert refresh(user) == BASIC  # three upheld, where member allows two


def test_the_profile_explains_the_next_level_to_its_member_alone(app, make_user):
    user = _member(make_user, visits=1, answers=1)
    own = client_for(app, user).get(f"/users/{user.id}").get_data(as_text=True)
    assert "Trust level: New" in own and "To become <strong>basic</strong>" in own
    assert "days visited (now 2)" in own  # signing in made today the second
    other = client_for(app, make_user()).get(f"/users/{user.id}").get_data(as_text=True)
    assert "<dd>New</dd>" in other and "To become" not in other
    assert "Set level" not in other


def test_community_managers_set_and_lock_levels_and_the_log_says_so(app, make_user):
    user = _member(make_user, level=BASIC)
    manager = make_user("manager")
    refused = client_for(app, make_user()).post(
        f"/moderation/members/{user.id}/trust", data={"level": str(LEADER)}
    )
    assert refused.status_code == 403
    page = client_for(app, manager).get(f"/users/{user.id}").get_data(as_text=True)
    assert "Set level" in page
    response = client_for(app, manager).post(
        f"/moderation/members/{user.id}/trust",
        data={"level": str(LEADER), "reason": "Runs our meetups"},
        follow_redirects=True,
    )
    assert "is now leader" in response.get_data(as_text=True)
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.trust_level, user.trust_level_locked) == (LEADER, True)
    assert refresh(user) == LEADER  # locked: not recomputed
    client_for(app, manager).post(f"/moderation/members/{user.id}/trust", data={"level": "earned"})
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.trust_level, user.trust_level_locked) == (NEW, False)
    log = db.session.scalars(db.select(ModerationLogEntry).order_by(ModerationLogEntry.id)).all()
    assert [(e.before, e.after, e.reason) for e in log] == [
        ("basic", "leader (locked)", "Runs our meetups"),
        ("leader", "new", None),
    ]
    bad = client_for(app, manager).post(
        f"/moderation/members/{user.id}/trust", data={"level": "99"}, follow_redirects=True
    )
    assert "Not a valid choice" in bad.get_data(as_text=True)


def test_a_regulars_flag_weighs_more(app, make_user):
    question = make_question()
    answer = make_answer(question, body="Read the manual, it is all there, obviously.")
    # Locked: signing in would otherwise find this regular's (empty) record lapsed.
    regular = make_user(trust_level=REGULAR, trust_level_locked=True)
    member = make_user(trust_level=MEMBER)
    client_for(app, regular).post(
        "/flags", data={"kind": "answer", "post_id": str(answer.id), "reason": "rude"}
    )
    db.session.expire_all()
    assert db.session.get(Answer, answer.id).review_state is None  # 2 of 3
    client_for(app, member).post(
        "/flags", data={"kind": "answer", "post_id": str(answer.id), "reason": "rude"}
    )
    db.session.expire_all()
    assert db.session.get(Answer, answer.id).review_state == "hidden"


def test_two_refreshes_at_once_promote_once(app, make_user):
    from tests.concurrency import run_concurrently

    user = _member(make_user, visits=2, answers=2)
    user_id = user.id

    def refresh_in_own_session(_index: int) -> None:
        refresh(db.session.get(User, user_id))
        db.session.commit()

    assert run_concurrently(app, refresh_in_own_session, threads=4) == []
    changes = db.session.scalars(
        db.select(ModerationLogEntry).where(ModerationLogEntry.action == "trust_level")
    ).all()
    assert [(e.before, e.after) for e in changes] == [("new", "basic")]
