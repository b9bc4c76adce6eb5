from sqlalchemy import update

from portal.extensions import db
from portal.ideas.models import Idea, IdeaStatus, IdeaVote
from portal.ideas.services import cast_vote, merge_ideas
from tests.ideas.helpers import fresh, recount


def test_check_counters_reports_and_fixes_drift(runner, make_idea):
    idea = make_idea()
    result = runner.invoke(args=["ideas", "check-counters"])
    assert result.exit_code == 0 and "All idea counters match" in result.output

    db.session.execute(update(Idea).values(vote_count=7, comment_count=2))
    db.session.commit()
    result = runner.invoke(args=["ideas", "check-counters"])
    assert result.exit_code == 1
    assert f"idea {idea.id}: votes 7 stored, 1 counted; comments 2 stored, 0 counted" in (
        result.output
    )
    result = runner.invoke(args=["ideas", "check-counters", "--fix"])
    assert result.exit_code == 0 and "Fixed the counters of 1 ideas." in result.output
    assert (fresh(idea.id).vote_count, fresh(idea.id).comment_count) == (1, 0)


def test_check_counters_reports_and_repairs_merge_cycles_and_chains(runner, make_user, make_idea):
    staff = make_user("staff")
    a, b = make_idea(status=IdeaStatus.PLANNED), make_idea()
    c, d, e = make_idea(), make_idea(), make_idea()
    cast_vote(fresh(a.id), make_user())
    merge_ideas(fresh(a.id), fresh(b.id), by=staff)
    merge_ideas(fresh(c.id), fresh(d.id), by=staff)
    db.session.commit()
    # What merges at the same moment left before they took turns: b merged back into a
    # (its votes with it), and d merged on without repointing c.
    for source, target in [(b, a), (d, e)]:
        db.session.execute(
            update(Idea)
            .where(Idea.id == source.id)
            .values(status=IdeaStatus.MERGED, merged_into_id=target.id)
        )
        db.session.execute(
            update(IdeaVote).where(IdeaVote.idea_id == source.id).values(idea_id=target.id)
        )
    db.session.commit()

    result = runner.invoke(args=["ideas", "check-counters"])
    assert result.exit_code == 1
    assert f"merge cycle: #{a.id} → #{b.id} → #{a.id}" in result.output
    assert f"merge chain: #{c.id} → #{d.id} → #{e.id} (#{c.id} should point at #{e.id})" in (
        result.output
    )
    assert "1 merge cycles, 1 merge chains" in result.output

    result = runner.invoke(args=["ideas", "check-counters", "--fix"])
    assert result.exit_code == 0, result.output
    # a holds the votes, so a reopens as it was; b stays merged into it.
    assert fresh(a.id).status == IdeaStatus.PLANNED and fresh(a.id).merged_into_id is None
    assert fresh(b.id).merged_into_id == a.id
    assert fresh(a.id).vote_count == 3 == recount(a.id)
    assert fresh(c.id).merged_into_id == e.id == fresh(d.id).merged_into_id
    assert recount(e.id) == 3 == fresh(e.id).vote_count

    result = runner.invoke(args=["ideas", "check-counters"])
    assert result.exit_code == 0, result.output
    assert "Every merged idea points at an open idea." in result.output
