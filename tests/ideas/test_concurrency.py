"""Concurrent voters and a merge in the middle never leave a count that differs from a recount."""

import itertools
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal.accounts.models import User
from portal.extensions import db
from portal.ideas.models import Idea, IdeaVote
from portal.ideas.services import merge_ideas, toggle_vote
from portal.writes import Refused
from tests.concurrency import run_concurrently


def _counts_match_recount() -> None:
    db.session.expire_all()
    recount = dict(
        db.session.execute(select(IdeaVote.idea_id, func.count()).group_by(IdeaVote.idea_id)).all()
    )
    for idea in db.session.scalars(select(Idea)):
        assert idea.vote_count == recount.get(idea.id, 0), idea


def _toggle(idea_id: int, user_id: int, errors: list | None = None) -> None:
    idea = db.session.get(Idea, idea_id)
    user = db.session.get(User, user_id)
    try:
        toggle_vote(idea, user)
        db.session.commit()
    except Refused as error:
        db.session.rollback()
        if errors is not None:
            errors.append(error.message)


def test_threads_toggling_votes_keep_counts_exact(app, make_user, make_idea):
    ideas = [make_idea().id for _ in range(2)]
    users = [make_user().id for _ in range(8)]

    def work(index: int) -> None:
        for round_ in range(6):
            _toggle(ideas[round_ % 2], users[index])
            # the same person also races themselves on the other idea
            _toggle(ideas[(round_ + 1) % 2], users[(index + 1) % 8])

    assert run_concurrently(app, work, threads=8) == []
    _counts_match_recount()


def test_merge_while_votes_arrive(app, make_user, make_idea):
    source = make_idea().id
    target = make_idea().id
    staff = make_user("staff").id
    users = [make_user().id for _ in range(7)]
    refused: list[str] = []
    votes_arriving = threading.Event()
    toggles = itertools.count(1)

    def work(index: int) -> None:
        if index == 0:
            # Merge once votes are flowing on both ideas; voters keep going meanwhile.
            assert votes_arriving.wait(timeout=60)
            merge_ideas(
                db.session.get(Idea, source),
                db.session.get(Idea, target),
                by=db.session.get(User, staff),
            )
            db.session.commit()
            return
        user = users[index - 1]
        for round_ in range(10):
            _toggle(source if round_ % 2 == 0 else target, user, refused)
            if next(toggles) == 10:
                votes_arriving.set()

    assert run_concurrently(app, work, threads=8) == []
    _counts_match_recount()
    db.session.expire_all()
    assert db.session.get(Idea, source).status == "merged"
    assert db.session.get(Idea, source).vote_count == 0
    # Refusals are the clear messages: the idea was merged, or the merge had just moved this
    # person's vote to the target (so "already voted" / "not voted" is true at that moment).
    allowed = ("merged into", "already voted", "have not voted")
    assert all(any(part in message for part in allowed) for message in refused), refused


def _merge_chains() -> list[tuple[int, int]]:
    """(idea, target) pairs where the target is itself merged: a chain, or part of a cycle."""
    db.session.expire_all()
    target = aliased(Idea)
    return list(
        db.session.execute(
            select(Idea.id, target.id)
            .join(target, Idea.merged_into_id == target.id)
            .where(target.merged_into_id.is_not(None))
        ).all()
    )


def _merge_at_once(app, staff: int, pairs: list[tuple[int, int]]) -> list[str]:
    """Run each (source, target) merge in its own thread at the same moment; the refusals."""
    refused: list[str] = []

    def work(index: int) -> None:
        source, target = pairs[index]
        try:
            merge_ideas(
                db.session.get(Idea, source),
                db.session.get(Idea, target),
                by=db.session.get(User, staff),
            )
            db.session.commit()
        except Refused as error:
            db.session.rollback()
            refused.append(error.message)

    assert run_concurrently(app, work, threads=len(pairs)) == []
    return refused


@pytest.mark.parametrize(
    "merges",
    [
        pytest.param([(0, 1), (1, 0)], id="opposite"),
        pytest.param([(0, 1), (1, 2), (2, 0)], id="ring"),
        # the second would leave 0 merged into 1, itself merged: a chain
        pytest.param([(0, 1), (1, 2)], id="chain"),
    ],
)
def test_merges_at_the_same_moment_make_no_cycle_or_chain(app, make_user, make_idea, merges):
    staff = make_user("staff").id
    for _round in range(20):
        ideas = [make_idea().id for _ in range(3)]
        pairs = [(ideas[source], ideas[target]) for source, target in merges]
        refused = _merge_at_once(app, staff, pairs)
        assert _merge_chains() == []
        merged = db.session.scalar(
            select(func.count()).where(Idea.id.in_(ideas), Idea.merged_into_id.is_not(None))
        )
        assert merged == len(merges) - len(refused) >= 1
        assert all("merged" in message for message in refused), refused
        _counts_match_recount()


@pytest.mark.parametrize("round_", range(10))
def test_a_status_change_racing_a_merge_never_reopens_a_merged_idea(
    app, make_user, make_idea, round_
):
    from portal.ideas.services import change_status

    source, target = make_idea().id, make_idea().id
    staff = make_user("staff").id

    def work(index: int) -> None:
        idea, by = db.session.get(Idea, source), db.session.get(User, staff)
        try:
            if index == 0:
                merge_ideas(idea, db.session.get(Idea, target), by=by)
            else:
                change_status(idea, "planned", note="Next quarter.", by=by)
            db.session.commit()
        except Refused:
            db.session.rollback()

    assert run_concurrently(app, work, threads=2) == []
    db.session.expire_all()
    merged = db.session.get(Idea, source)
    assert merged.status == "merged" and merged.merged_into_id == target
