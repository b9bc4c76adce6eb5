"""The rollups the dashboard reads are kept by database triggers: whatever writes the rows
(services, bulk inserts, cascades, merges, plan changes), they match a recount from the rows."""

from datetime import date, datetime

from sqlalchemy import delete, insert, select, update

from portal.activity.models import ActivityEvent
from portal.extensions import db
from portal.ideas.models import IdeaQuestion, IdeaVote
from portal.ideas.services import cast_vote, merge_ideas, withdraw_vote
from portal.insights import metrics
from portal.insights.filters import InsightsFilters
from portal.insights.models import IdeaDemand
from portal.support.models import Answer, Question
from portal.support.services import accept_answer, delete_post, post_answer, undelete_post
from tests.factories import make_answer, make_idea, make_question
from tests.insights.helpers import assert_matches_a_recount, rollup_rows


def test_activity_days_count_every_insert_with_the_plan_at_the_time(
    app, make_user, make_area, make_plan
):
    pro = make_plan("Pro")
    billing = make_area("Billing")
    customer, anonymous_area = make_user(plan_id=pro.id), make_area("Mobile")
    db.session.add_all(
        [
            ActivityEvent(kind="question.asked", actor_id=customer.id, product_area_id=billing.id,
                          created_at=datetime(2026, 3, 2, 9)),
            ActivityEvent(kind="question.asked", actor_id=customer.id, product_area_id=billing.id,
                          created_at=datetime(2026, 3, 2, 23, 59, 59)),
            ActivityEvent(kind="question.asked", created_at=datetime(2026, 3, 3, 0, 0)),
        ]
    )  # fmt: skip
    db.session.flush()
    db.session.execute(  # a bulk insert, as the demo generator and imports write
        insert(ActivityEvent),
        [
            {"kind": "idea.voted", "product_area_id": anonymous_area.id,
             "created_at": datetime(2026, 3, 3, 12)}
            for _ in range(3)
        ],
    )  # fmt: skip
    db.session.commit()
    assert rollup_rows()["days"] == [
        (date(2026, 3, 2), "question.asked", billing.id, pro.id, 2),
        (date(2026, 3, 3), "idea.voted", anonymous_area.id, 0, 3),
        (date(2026, 3, 3), "question.asked", 0, 0, 1),
    ]
    # The customer moves to no plan: what they did on Pro stays counted under Pro.
    customer.plan_id = None
    db.session.commit()
    march = InsightsFilters(since=date(2026, 3, 1), until=date(2026, 3, 31), period="custom")
    march.plan = pro
    assert metrics.event_counts(march)["question.asked"] == 2


def test_idea_demand_follows_votes_merges_plan_changes_and_deleted_accounts(
    app, make_user, make_plan
):
    pro, enterprise = make_plan("Pro", weight=2.0), make_plan("Enterprise", weight=5.0)
    author = make_user()
    source, target = make_idea(author), make_idea(author)  # the author votes for both
    ana, ben, cy = make_user(plan_id=pro.id), make_user(plan_id=enterprise.id), make_user()
    for voter in (ana, ben, cy):
        cast_vote(source, voter)
    cast_vote(target, ana)
    db.session.commit()
    assert_matches_a_recount()

    withdraw_vote(source, cy)
    db.session.commit()
    assert_matches_a_recount()

    merge_ideas(source, target, by=make_user("product"))  # ben's vote moves, ana's was there
    db.session.commit()
    assert_matches_a_recount()
    by_plan = dict(
        db.session.execute(
            select(IdeaDemand.plan_id, IdeaDemand.voters).where(IdeaDemand.idea_id == target.id)
        ).all()
    )
    assert by_plan == {0: 1, pro.id: 1, enterprise.id: 1}

    db.session.execute(update(type(ana)).where(type(ana).id == ana.id).values(plan_id=None))
    db.session.commit()
    assert_matches_a_recount(days=False)

    db.session.delete(ben)  # the account goes, its votes with it (cascade)
    db.session.commit()
    assert_matches_a_recount(days=False)

    db.session.execute(delete(IdeaVote))
    db.session.commit()
    assert rollup_rows()["demand"] == []


def test_demand_score_from_the_rollup_matches_the_formula(app, make_user, make_plan):
    pro, enterprise = make_plan("Pro", weight=3.0), make_plan("Enterprise", weight=10.0)
    voter = make_user(plan_id=pro.id)
    idea = make_idea(make_user())  # author (no plan): 1
    cast_vote(idea, voter)  # 3
    cast_vote(idea, make_user(plan_id=pro.id))  # 3
    for asker in (voter, make_user(plan_id=enterprise.id), make_user()):  # 0 (voted), 10, 1
        db.session.add(IdeaQuestion(idea_id=idea.id, question_id=make_question(asker).id))
    db.session.add(IdeaQuestion(idea_id=make_idea(make_user()).id, question_id=make_question().id))
    db.session.commit()
    march = InsightsFilters(since=date(2026, 3, 1), until=date(2026, 3, 31), period="custom")
    [score, _other] = metrics.demand_scores(march)
    assert (score.voters, score.askers, score.people, score.score) == (3, 3, 5, 18.0)
    pro.weight = 0.5  # weights set by admins apply at once
    db.session.commit()
    assert metrics.demand_scores(march)[0].score == 13.0
    march.plan = enterprise
    [score] = metrics.demand_scores(march)
    assert (score.voters, score.askers, score.people, score.score) == (0, 1, 1, 10.0)


def test_question_answer_times_follow_every_change_to_its_answers(app, make_user):
    asker, moderator = make_user(), make_user("staff")
    question = make_question(asker)
    db.session.refresh(question)
    assert (question.first_answer_at, question.solved_at) == (None, None)

    def times():
        db.session.refresh(question)
        return question.first_answer_at, question.solved_at

    first = make_answer(question)
    second = make_answer(question)
    assert times() == (first.created_at, None)
    accept_answer(second, asker)
    db.session.commit()
    assert times() == (first.created_at, second.accepted_at)
    assert_matches_a_recount()

    delete_post(first, moderator)  # the first answer goes: the second is now the first
    db.session.commit()
    assert times() == (second.created_at, second.accepted_at)
    delete_post(second, moderator)  # the accepted one goes: unanswered, unsolved
    db.session.commit()
    assert times() == (None, None)
    undelete_post(first, moderator)
    db.session.commit()
    assert times() == (first.created_at, None)
    assert_matches_a_recount()

    db.session.execute(  # a bulk insert, as imports write: an accepted answer from long ago
        insert(Answer),
        [{"question_id": question.id, "body": "Old", "body_html": "<p>Old</p>",
          "created_at": datetime(2020, 1, 1), "is_accepted": True,
          "accepted_at": datetime(2020, 1, 2)}],
    )  # fmt: skip
    db.session.commit()
    assert times() == (datetime(2020, 1, 1), datetime(2020, 1, 2))
    db.session.execute(delete(Answer).where(Answer.question_id == question.id))
    db.session.commit()
    assert times() == (None, None)
    post_answer(question, make_user(), "A fresh answer.")
    db.session.commit()
    assert times()[0] is not None
    assert_matches_a_recount()
    assert db.session.get(Question, question.id).solved_at is None


def test_answers_withheld_for_review_leave_a_question_unanswered_in_insights(app, make_user):
    from portal.moderation.screening import screen
    from portal.moderation.trust import NEW
    from portal.support.services import set_review_state

    question = make_question(make_user())
    newcomer = make_user(trust_level=NEW)
    body = "Try signing out and in again, it usually fixes this."
    held = post_answer(question, newcomer, body, screening=screen(newcomer, body))
    db.session.commit()
    db.session.refresh(question)
    assert held.review_state == "pending" and question.first_answer_at is None
    set_review_state(held, None)  # approved
    db.session.commit()
    db.session.refresh(question)
    assert question.first_answer_at == held.created_at
    set_review_state(held, "hidden")  # hidden after flags
    db.session.commit()
    db.session.refresh(question)
    assert question.first_answer_at is None
    assert_matches_a_recount()
