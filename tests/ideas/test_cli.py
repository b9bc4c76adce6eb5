from sqlalchemy import update

from portal.extensions import db
from portal.ideas.models import Idea
from tests.ideas.helpers import fresh


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
