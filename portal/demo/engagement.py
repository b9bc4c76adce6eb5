"""Demo polls, a changelog entry and the badges the demo's members earned: an open poll with
votes, a poll under the AMA, an entry that ships an idea members asked about."""

from sqlalchemy import select

from portal.badges.awards import award_round
from portal.changelog.services import publish_entry
from portal.demo import DemoContext
from portal.events.models import AMA, Event
from portal.extensions import db
from portal.ideas.models import Idea, IdeaQuestion, IdeaStatus
from portal.polls.services import cast_ballot, start_poll

VOTERS = ("member", "m2", "m3", "m4", "m5")


def load(ctx: DemoContext) -> None:
    product, manager = ctx.users["product"], ctx.users["manager"]
    exports = start_poll(
        product,
        title="Which export format do you use most?",
        options=["CSV", "Excel (xlsx)", "PDF", "JSON through the API"],
        multiple=False,
        results_after="voted",
    )
    for n, key in enumerate(VOTERS):
        cast_ballot(ctx.users[key], exports, [exports.options[(n * 3) % 4].id])
    ama = db.session.scalar(select(Event).where(Event.kind == AMA))
    topics = start_poll(
        manager,
        title="What should the AMA start with?",
        options=["Offline mode", "Scheduled reports", "The public API"],
        multiple=True,
        results_after="closed",
        subject=("event", ama.id),
    )
    cast_ballot(ctx.users["m2"], topics, [topics.options[0].id, topics.options[2].id])
    ctx.count("polls", 2)
    # The planned idea with the most votes ships in this month's entry; one that members
    # linked questions to first, so its askers hear of it.
    linked = select(IdeaQuestion.idea_id).where(IdeaQuestion.idea_id == Idea.id).exists()
    shipped = db.session.scalar(
        select(Idea)
        .where(Idea.status.in_((IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS)))
        .order_by(linked.desc(), Idea.vote_count.desc(), Idea.id)
        .limit(1)
    )
    publish_entry(
        product,
        title="December release: what is new",
        body="This month's release brings what many of you asked for. Thank you for the "
        "votes and the questions that told us how you work.",
        ideas=[shipped] if shipped is not None else [],
    )
    ctx.count("changelog entries")
    while True:  # the badges the demo's history earned, as the worker would award them
        awarded, more = award_round()
        ctx.count("badges", awarded)
        if not more:
            break
