"""Insights: poll participation, and each answer's votes by the voters' plan and company.

The dashboard is shared by the whole team, so it lists only polls everyone may see: on their
own, or under a public post (a poll under a plan's announcement stays on its own page)."""

from flask_login import AnonymousUserMixin
from sqlalchemy import distinct, func, select

from portal.accounts.models import Plan, User
from portal.extensions import db
from portal.insights.filters import InsightsFilters
from portal.insights.panels import Link, Panel, register_panel
from portal.notifications.subjects import still_visible
from portal.polls.models import Poll, PollOption, PollVote

LIMIT = 200


def _public_polls(filters: InsightsFilters) -> list[Poll]:
    polls = list(
        db.session.scalars(
            select(Poll)
            .where(Poll.created_at >= filters.start, Poll.created_at < filters.end)
            .order_by(Poll.created_at.desc())
            .limit(LIMIT)
        )
    )
    anyone = AnonymousUserMixin()
    seen = still_visible((poll.subject_type, poll.subject_id, anyone) for poll in polls)
    return [poll for poll, public in zip(polls, seen, strict=True) if public]


def _votes(filters: InsightsFilters, poll_ids: list[int]):
    query = (
        select(PollVote.poll_id, PollVote.option_id, Plan.name, User.company, PollVote.user_id)
        .join(User, User.id == PollVote.user_id)
        .outerjoin(Plan, Plan.id == User.plan_id)
        .where(PollVote.poll_id.in_(poll_ids))
    )
    if filters.plan is not None:
        query = query.where(User.plan_id == filters.plan.id)
    return query


def _link(poll: Poll) -> Link:
    return Link(poll.title, "polls.poll", {"poll_id": poll.id})


def participation_panel(filters: InsightsFilters) -> Panel:
    polls = _public_polls(filters)
    ids = [poll.id for poll in polls]
    voters, leaders = {}, {}
    if ids:
        votes = _votes(filters, ids).subquery()
        voters = dict(
            db.session.execute(
                select(votes.c.poll_id, func.count(distinct(votes.c.user_id))).group_by(
                    votes.c.poll_id
                )
            ).all()
        )
        counts = db.session.execute(
            select(votes.c.poll_id, PollOption.label, func.count())
            .join(PollOption, PollOption.id == votes.c.option_id)
            .group_by(votes.c.poll_id, PollOption.label)
        ).all()
        for poll_id, label, count in counts:
            if count > leaders.get(poll_id, ("", 0))[1]:
                leaders[poll_id] = (label, count)
    rows = []
    for poll in polls:
        label, count = leaders.get(poll.id, ("—", 0))
        share = f"{round(100 * count / voters[poll.id])}%" if voters.get(poll.id) else "—"
        rows.append(
            [
                _link(poll),
                poll.subject_type or "on its own",
                poll.created_at.date().isoformat(),
                "closed" if poll.is_closed() else "open",
                voters.get(poll.id, 0),
                label,
                share,
            ]
        )
    return Panel(
        key="poll-participation",
        title="Polls started in the period",
        description="How many members voted in each poll, and the answer most of them chose.",
        columns=["Poll", "Under", "Started", "Status", "Voters", "Leading answer", "Share"],
        rows=rows,
        shown=20,
        empty="No poll was started in this period.",
        notes=[
            "Polls under a post only some members may see (a plan's announcement, a hidden "
            "question) are left out.",
            "The plan filter counts the voters on that plan; the product area does not apply.",
        ],
    )


def segments_panel(filters: InsightsFilters) -> Panel:
    polls = _public_polls(filters)
    titles = {poll.id: poll for poll in polls}
    rows = []
    if polls:
        votes = _votes(filters, list(titles)).subquery()
        found = db.session.execute(
            select(
                votes.c.poll_id,
                PollOption.position,
                PollOption.label,
                votes.c.name,
                votes.c.company,
                func.count(),
            )
            .join(PollOption, PollOption.id == votes.c.option_id)
            .group_by(
                votes.c.poll_id,
                PollOption.position,
                PollOption.label,
                votes.c.name,
                votes.c.company,
            )
            .order_by(votes.c.poll_id.desc(), PollOption.position, func.count().desc())
        ).all()
        rows = [
            [
                _link(titles[poll_id]),
                label,
                plan or "No plan",
                (company or "").strip() or "No company",
                count,
            ]
            for poll_id, _position, label, plan, company, count in found
        ]
    return Panel(
        key="poll-segments",
        title="Poll answers by plan and company",
        description="Each answer's votes by the voters' plan and company: which customers "
        "want what.",
        columns=["Poll", "Answer", "Plan", "Company", "Votes"],
        rows=rows,
        shown=30,
        empty="Nobody voted in a poll started in this period.",
        notes=["The CSV has every row."],
    )


register_panel("poll-participation", participation_panel, "community")
register_panel("poll-segments", segments_panel, "community")
