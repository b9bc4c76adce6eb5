from sqlalchemy import func, select

from portal.extensions import db
from portal.ideas.models import Idea, IdeaComment, IdeaStatus, IdeaVote
from portal.ideas.queries import board_ids, roadmap_columns
from portal.ideas.recount import counter_drift


def test_demo_ideas_are_believable_and_counts_are_exact(runner, client):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    ideas = db.session.scalars(select(Idea)).all()
    assert len(ideas) >= 15
    recount = dict(
        db.session.execute(select(IdeaVote.idea_id, func.count()).group_by(IdeaVote.idea_id)).all()
    )
    assert all(idea.vote_count == recount.get(idea.id, 0) for idea in ideas)
    assert counter_drift() == []

    top = list(db.session.scalars(board_ids(sort="top").limit(5)))
    trending = board_ids(sort="trending")[:5]
    assert top != trending

    statuses = {idea.status for idea in ideas}
    assert statuses >= {"new", "under_review", "planned", "in_progress", "shipped", "declined"}
    assert IdeaStatus.MERGED in statuses
    assert db.session.scalars(select(IdeaComment).where(IdeaComment.is_official)).first()
    columns = roadmap_columns()
    assert all(column.ideas and column.total for column in columns.values())
    assert db.session.scalars(select(IdeaVote).where(IdeaVote.added_by_id.is_not(None))).first()

    for url in ("/ideas", "/ideas?sort=trending", "/roadmap", f"/ideas/{ideas[0].id}", "/"):
        assert client.get(url).status_code == 200
