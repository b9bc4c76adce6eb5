"""Checking and repairing the idea board's stored counters and merge chains
(`flask ideas check-counters`)."""

from dataclasses import dataclass

from sqlalchemy import func, select, update

from portal.clock import utcnow
from portal.extensions import db
from portal.ideas.models import (
    Idea,
    IdeaComment,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
)
from portal.ideas.services import move_votes_and_followers
from portal.search.changes import record_search_change


def _recounts():
    votes = select(func.count()).where(IdeaVote.idea_id == Idea.id).correlate(Idea)
    comments = select(func.count()).where(IdeaComment.idea_id == Idea.id).correlate(Idea)
    return votes.scalar_subquery(), comments.scalar_subquery()


@dataclass
class CounterDrift:
    idea_id: int
    vote_count: int
    votes_counted: int
    comment_count: int
    comments_counted: int


def counter_drift() -> list[CounterDrift]:
    """Ideas whose stored vote or comment count differs from a recount of the rows."""
    votes, comments = _recounts()
    rows = db.session.execute(
        select(Idea.id, Idea.vote_count, votes, Idea.comment_count, comments)
        .where((Idea.vote_count != votes) | (Idea.comment_count != comments))
        .order_by(Idea.id)
    ).all()
    return [CounterDrift(*row) for row in rows]


def fix_counters() -> int:
    """Set every idea's counters to a recount of its rows; returns how many ideas changed."""
    votes, comments = _recounts()
    result = db.session.execute(
        update(Idea)
        .where((Idea.vote_count != votes) | (Idea.comment_count != comments))
        .values(vote_count=votes, comment_count=comments)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


@dataclass
class BrokenMerges:
    """Merged ideas whose target was itself merged. Each cycle lists its ideas from the lowest
    id, in merge order; each chain runs from a merged idea to where its merges end (an open
    idea, or an idea of a cycle)."""

    cycles: list[list[int]]
    chains: list[list[int]]

    def lines(self) -> list[str]:
        def arrows(path):
            return " → ".join(f"#{idea_id}" for idea_id in path)

        return [f"merge cycle: {arrows([*cycle, cycle[0]])}" for cycle in self.cycles] + [
            f"merge chain: {arrows(chain)} (#{chain[0]} should point at #{chain[-1]})"
            for chain in self.chains
        ]

    def __bool__(self) -> bool:
        return bool(self.cycles or self.chains)


def _merge_targets() -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Idea.id, Idea.merged_into_id).where(Idea.merged_into_id.is_not(None))
        ).all()
    )


def broken_merges() -> BrokenMerges:
    """Merges are made so that a merged idea points at an open one (merging repoints the ideas
    merged into the source); this finds where the data says otherwise."""
    targets = _merge_targets()
    in_cycle: set[int] = set()
    cycles, chains = [], []
    for idea_id in sorted(targets):
        path = [idea_id]
        while path[-1] in targets and targets[path[-1]] not in path:
            path.append(targets[path[-1]])
        if path[-1] in targets:  # the next merge leads back onto the path
            cycle = path[path.index(targets[path[-1]]) :]
            if not in_cycle & set(cycle):
                start = cycle.index(min(cycle))
                cycles.append(cycle[start:] + cycle[:start])
                in_cycle |= set(cycle)
        if idea_id not in in_cycle and len(path) > 2:
            chains.append(path)
    return BrokenMerges(cycles, chains)


def repair_merges(broken: BrokenMerges, *, at=None) -> int:
    """Reopen one idea of each cycle, point every merged idea at the open end of its chain and
    move the votes still on merged ideas there; returns how many ideas changed.

    A cycle reopens the idea holding the most votes (the lowest id of equals): its voters keep
    their votes where they are, and everyone else's follow the merges to it. It returns to the
    status it had before it was merged."""
    now = at or utcnow()
    changed = 0
    for cycle in broken.cycles:
        votes = dict(
            db.session.execute(
                select(IdeaVote.idea_id, func.count())
                .where(IdeaVote.idea_id.in_(cycle))
                .group_by(IdeaVote.idea_id)
            ).all()
        )
        reopened = db.session.get(Idea, min(cycle, key=lambda i: (-votes.get(i, 0), i)))
        before, before_option_id = db.session.execute(
            select(IdeaStatusChange.from_status, IdeaStatusChange.from_option_id)
            .where(
                IdeaStatusChange.idea_id == reopened.id,
                IdeaStatusChange.to_status == IdeaStatus.MERGED,
            )
            .order_by(IdeaStatusChange.created_at.desc(), IdeaStatusChange.id.desc())
            .limit(1)
        ).first() or (None, None)
        if not before or before == IdeaStatus.MERGED:
            before, before_option_id = IdeaStatus.NEW, None
        status = IdeaStatus(before)
        db.session.add(
            IdeaStatusChange(
                idea_id=reopened.id,
                actor_id=None,
                from_status=IdeaStatus.MERGED,
                to_status=status,
                to_option_id=before_option_id,
                note="Reopened: merges at the same moment had merged it in a circle.",
                created_at=now,
            )
        )
        reopened.status = status
        reopened.status_option_id = before_option_id
        reopened.merged_into_id = None
        reopened.status_changed_at = now
        record_search_change("idea", reopened.id)
        changed += 1
    db.session.flush()
    targets = _merge_targets()
    holding_votes = set(db.session.scalars(select(IdeaVote.idea_id).distinct()))
    for idea_id, target_id in sorted(targets.items()):
        final = target_id
        for _ in range(len(targets)):  # bounded: every cycle was broken above
            if final not in targets:
                break
            final = targets[final]
        if final != target_id:
            db.session.execute(
                update(Idea)
                .where(Idea.id == idea_id)
                .values(merged_into_id=final)
                .execution_options(synchronize_session=False)
            )
            changed += 1
        if idea_id in holding_votes:
            move_votes_and_followers(idea_id, final, now)
    db.session.flush()
    return changed
