"""`flask demo generate`: a large community in bulk whose counters, events and ids hold up."""

from sqlalchemy import func, select

from portal.accounts.models import Plan, User
from portal.activity.models import ActivityEvent
from portal.extensions import db
from portal.ideas.models import Idea, IdeaFollower, IdeaVote
from portal.ideas.recount import counter_drift
from portal.search.queries import Filters, search
from portal.support.models import Answer, Comment, Question, Vote
from portal.support.recount import recount
from portal.support.services import ask_question
from portal.taxonomy.models import ProductArea
from tests.insights.helpers import assert_matches_a_recount

SMALL = ["--users", "80", "--questions", "150", "--ideas", "40", "--votes", "3000"]
SMALL += ["--searches", "60", "--days", "365"]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def generate(runner, *extra):
    result = runner.invoke(args=["demo", "generate", *SMALL, *extra])
    assert result.exit_code == 0, result.output
    assert "rows per second" in result.output
    return result


def count_events(kind: str) -> int:
    return db.session.scalar(select(func.count()).where(ActivityEvent.kind == kind))


EVENT_OF = {
    "question.asked": Question,
    "answer.posted": Answer,
    "comment.posted": Comment,
    "idea.suggested": Idea,
    "idea.voted": IdeaVote,
    "user.registered": User,
}


def test_generated_rows_agree_with_their_counters_and_events(runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    demo_counts = {model: count(model) for model in EVENT_OF.values()}
    demo_counts |= {kind: count_events(kind) for kind in EVENT_OF}
    generate(runner, "--no-index", "--force")
    assert count(User) == 80 + demo_counts[User]
    assert count(Question) > 150 and count(Idea) >= 40

    # Counters and reputation match a recount of the rows; so do idea votes and comments, and
    # the insights rollups (kept by triggers on SQLite, rebuilt after the load on PostgreSQL).
    assert recount(fix=False) == []
    assert counter_drift() == []
    assert_matches_a_recount()

    # Votes: about as many as asked for, 40% on ideas; every idea voter follows the idea.
    votes = count(Vote) + count(IdeaVote)
    assert 2000 < votes < 4000, votes
    unfollowed = (
        select(func.count())
        .select_from(IdeaVote)
        .outerjoin(
            IdeaFollower,
            (IdeaFollower.idea_id == IdeaVote.idea_id) & (IdeaFollower.user_id == IdeaVote.user_id),
        )
        .where(IdeaFollower.user_id.is_(None))
    )
    assert db.session.scalar(unfollowed) == 0

    # Every generated row has its event (the demo loaded first has its own ways), at the
    # row's own time.
    for kind, model in EVENT_OF.items():
        generated = count(model) - demo_counts[model]
        assert count_events(kind) - demo_counts[kind] == generated, kind
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Question)
            .join(
                ActivityEvent,
                (ActivityEvent.subject_id == Question.id)
                & (ActivityEvent.kind == "question.asked"),
            )
            .where(ActivityEvent.created_at != Question.created_at)
        )
        == 0
    )

    # Realistic shapes: one long thread, unanswered questions, every area and plan represented.
    assert db.session.scalar(select(func.max(Question.answer_count))) >= 50
    assert db.session.scalar(select(func.count()).where(Question.answer_count == 0)) > 0
    areas_used = db.session.scalar(select(func.count(func.distinct(Question.product_area_id))))
    assert areas_used == count(ProductArea)
    plans_used = db.session.scalar(select(func.count(func.distinct(User.plan_id))))
    assert plans_used == count(Plan)


def test_the_portal_keeps_working_on_generated_data(runner, client):
    generate(runner, "--no-index")
    # Ids were assigned by the generator: new rows must still get fresh ones (PostgreSQL
    # sequences were moved past them).
    author = db.session.scalar(select(User).where(User.email == "member@example.com"))
    area = db.session.scalar(select(ProductArea))
    question, created = ask_question(
        author,
        title="A question asked after generating",
        body="Does it still work?",
        area=area,
        tags=["sync"],
    )
    db.session.commit()
    assert created and question.id > db.session.scalar(select(func.max(Answer.question_id)))
    big = db.session.scalar(select(Question.id).order_by(Question.answer_count.desc()))
    for path in ("/", "/questions", f"/questions/{big}", "/ideas", "/roadmap"):
        assert client.get(path, follow_redirects=True).status_code == 200, path


def test_generated_content_is_searchable_and_the_same_for_a_seed(runner):
    generate(runner)
    titles = list(db.session.scalars(select(Question.title).order_by(Question.id)))
    last = titles[-1]
    outcome = search(f'"{last}"', Filters(type="question"))
    assert last in [hit.title for hit in outcome.hits]

    generate(runner, "--force", "--no-index")
    assert list(db.session.scalars(select(Question.title).order_by(Question.id))) == titles
