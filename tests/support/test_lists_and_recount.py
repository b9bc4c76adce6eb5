"""Question list tabs and filters, the staff queue, the home panel, profiles and the recount."""

from datetime import timedelta

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.support.models import Question
from portal.support.services import accept_answer, cast_vote
from tests.conftest import login


def _titles(client, url):
    page = client.get(url).get_data(as_text=True)
    return page


def test_tabs_and_filters(client, make_user, make_area, make_question, make_answer):
    asker = make_user()
    billing, mobile = make_area("Billing"), make_area("Mobile app")
    solved = make_question(author=asker, area=billing, title="Solved billing question here")
    answered = make_question(area=mobile, title="Answered mobile question here", tags=["ios"])
    lonely = make_question(area=mobile, title="Lonely unanswered question here")
    accept_answer(make_answer(solved), asker)
    make_answer(answered)
    db.session.commit()

    everything = _titles(client, "/questions")
    assert all(q.title in everything for q in (solved, answered, lonely))
    assert "3 questions" in everything
    unanswered = _titles(client, "/questions?tab=unanswered")
    assert lonely.title in unanswered and answered.title not in unanswered
    solved_tab = _titles(client, "/questions?tab=solved")
    assert solved.title in solved_tab and lonely.title not in solved_tab
    assert "✓ Solved" in solved_tab
    by_area = _titles(client, f"/questions?area={billing.slug}")
    assert solved.title in by_area and lonely.title not in by_area
    by_tag = _titles(client, "/questions?tag=ios")
    assert answered.title in by_tag and lonely.title not in by_tag
    assert client.get("/questions?tag=no-such-tag").status_code == 404
    assert client.get("/questions?tab=bogus").status_code == 200


def test_list_paginates_thirty_per_page(client, make_user, make_area):
    from portal.support.services import ask_question

    author, area = make_user(), make_area()
    for n in range(31):
        ask_question(
            author,
            title=f"Question number {n:02d} about exports",
            body="x" * 30,
            area=area,
            tags=[],
        )
    db.session.commit()
    first = client.get("/questions").get_data(as_text=True)
    assert first.count('<li class="q-row') == 30
    assert client.get("/questions?page=2").get_data(as_text=True).count('<li class="q-row') == 1


def test_unanswered_queue_is_oldest_first_for_staff(client, make_user, make_area, make_question):
    area = make_area()
    old = make_question(area=area, title="Old question waiting longest")
    new = make_question(area=area, title="New question waiting briefly")
    old.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    login(client, make_user("staff"))
    page = client.get(f"/questions/unanswered?area={area.slug}").get_data(as_text=True)
    assert page.index(old.title) < page.index(new.title)
    assert "3 days" in page


def test_home_page_lists_latest_questions_and_profiles_show_activity(
    client, make_user, make_question
):
    author = make_user()
    question = make_question(author=author, title="Fresh question for the home page")
    home = client.get("/").get_data(as_text=True)
    assert "Latest questions" in home and question.title in home
    profile = client.get(f"/users/{author.id}").get_data(as_text=True)
    assert "Asked" in profile and question.title in profile


def test_recount_reports_and_fixes_drift(runner, make_user, make_question, make_answer):
    author, voter = make_user(), make_user()
    question = make_question(author=author)
    cast_vote(voter, question, 1)
    make_answer(question)
    db.session.commit()
    result = runner.invoke(args=["support", "recount", "--check"])
    assert result.exit_code == 0, result.output
    assert "No drift" in result.output
    question.score = 7
    question.answer_count = 0
    db.session.get(User, author.id).reputation = 100
    db.session.commit()
    result = runner.invoke(args=["support", "recount", "--check"])
    assert result.exit_code == 1
    assert f"questions {question.id} score: stored 7, counted 1" in result.output
    assert f"users {author.id} reputation: stored 100, counted 5" in result.output
    result = runner.invoke(args=["support", "recount"])
    assert "Fixed 3 drifted counters" in result.output
    db.session.expire_all()
    assert db.session.get(Question, question.id).score == 1
    assert runner.invoke(args=["support", "recount", "--check"]).exit_code == 0


def test_list_statement_count_does_not_grow_with_rows(
    client, make_user, make_area, make_question, count_queries
):
    area = make_area()
    make_question(area=area, tags=["one"])
    client.get("/questions")
    make_question(area=area, tags=["two"])  # a new version: the total is counted again
    with count_queries() as few:
        client.get("/questions")
    for n in range(11):
        make_question(author=make_user(), area=area, tags=[f"tag-{n}", "shared"])
    with count_queries() as many:
        page = client.get("/questions").get_data(as_text=True)
    assert page.count('<li class="q-row') == 13
    assert few.count == many.count
