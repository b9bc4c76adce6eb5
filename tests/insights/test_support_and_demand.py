"""Support health, idea demand, contributors and demand scores against hand-built data with
known answers (the same on SQLite and PostgreSQL)."""

from datetime import date, datetime, timedelta

import pytest
from flask import g
from sqlalchemy import delete, select

from portal.accounts.models import User
from portal.extensions import db
from portal.ideas.models import Idea, IdeaComment, IdeaQuestion, IdeaStatus, IdeaVote
from portal.insights import metrics
from portal.insights.filters import InsightsFilters
from tests.factories import make_answer, make_idea, make_question

MARCH_10 = datetime(2026, 3, 10, 9, 0)
LONG_AGO = datetime(2026, 1, 1, 12, 0)  # before March and before the previous period


def march(**fields) -> InsightsFilters:
    return InsightsFilters(
        since=date(2026, 3, 1), until=date(2026, 3, 31), period="custom", **fields
    )


def asked(area, at, author=None, **fields):
    return make_question(author=author, area=area, created_at=at, **fields)


def answered(question, hours, author=None, accepted_after=None, deleted=False):
    answer = make_answer(question, author=author)
    answer.created_at = question.created_at + timedelta(hours=hours)
    if accepted_after is not None:
        answer.is_accepted = True
        answer.accepted_at = question.created_at + timedelta(hours=accepted_after)
        question.is_solved = not deleted  # as the services keep it
    if deleted:
        answer.deleted_at = answer.created_at
    db.session.commit()
    return answer


def vote(idea, user, at):
    db.session.add(IdeaVote(idea_id=idea.id, user_id=user.id, created_at=at))
    db.session.commit()


def test_median():
    assert metrics.median([]) is None
    assert metrics.median([5, 1, 3]) == 3
    assert metrics.median([4, 2]) == 3


def test_support_health_per_area(app, make_area, make_user):
    billing, mobile = make_area("Billing"), make_area("Mobile")
    q1 = asked(billing, MARCH_10)
    answered(q1, 1)
    answered(q1, 10)  # not the first answer
    q2 = asked(billing, MARCH_10 + timedelta(days=1))
    answered(q2, 3, accepted_after=7)
    q3 = asked(billing, MARCH_10 + timedelta(days=2))
    answered(q3, 0.5, deleted=True)  # deleted: does not count
    answered(q3, 5)
    asked(billing, MARCH_10 + timedelta(days=3))  # unanswered
    q5 = asked(billing, MARCH_10 + timedelta(days=4))
    answered(q5, 2, deleted=True)  # only a deleted answer: unanswered
    asked(billing, MARCH_10, closed_at=MARCH_10)  # closed without an answer: not waiting
    asked(billing, MARCH_10, deleted_at=MARCH_10)  # deleted question: left out
    answered(asked(billing, datetime(2026, 4, 2)), 1)  # after the period: left out
    m1 = asked(mobile, MARCH_10)
    answered(m1, 2, accepted_after=2)
    m2 = asked(mobile, MARCH_10)
    answered(m2, 4, accepted_after=12)
    rows = {row.area: row for row in metrics.support_health(march())}
    assert list(rows) == ["Billing", "Mobile"]  # most unanswered first
    b = rows["Billing"]
    assert (b.questions, b.solved, b.unanswered) == (6, 1, 2)
    assert b.median_first_answer_hours == pytest.approx(3.0)  # 1 h, 3 h, 5 h
    assert b.median_accepted_hours == pytest.approx(7.0)
    assert b.solved_rate == pytest.approx(1 / 6)
    m = rows["Mobile"]
    assert (m.questions, m.solved, m.unanswered) == (2, 2, 0)
    assert m.median_first_answer_hours == pytest.approx(3.0)  # 2 h and 4 h
    assert m.median_accepted_hours == pytest.approx(7.0)  # 2 h and 12 h
    only_mobile = metrics.support_health(march(area=mobile))
    assert [row.area for row in only_mobile] == ["Mobile"]


def test_support_health_plan_filter_is_the_askers_plan(app, make_area, make_user, make_plan):
    area, pro = make_area(), make_plan("Pro")
    asked(area, MARCH_10, author=make_user(plan_id=pro.id))
    asked(area, MARCH_10, author=make_user())
    (row,) = metrics.support_health(march(plan=pro))
    assert row.questions == 1 and row.unanswered == 1


def test_oldest_unanswered_and_most_viewed_unsolved(app, make_area):
    area = make_area()
    old = asked(area, MARCH_10, view_count=3)
    newer = asked(area, MARCH_10 + timedelta(days=5), view_count=40)
    answered(asked(area, MARCH_10 - timedelta(days=1)), 1)  # answered
    asked(area, MARCH_10 - timedelta(days=2), closed_at=MARCH_10)  # closed
    solved = asked(area, MARCH_10, view_count=99)
    answered(solved, 1, accepted_after=1)
    open_answered = asked(area, MARCH_10, view_count=10)
    answered(open_answered, 1)
    assert [q.id for q in metrics.oldest_unanswered(march())] == [old.id, newer.id]
    assert [q.id for q in metrics.most_viewed_unsolved(march())] == [
        newer.id,
        open_answered.id,
        old.id,
    ]


def test_top_and_rising_ideas(app, make_user, make_area, make_plan):
    area = make_area("Reports")
    pro = make_plan("Pro")
    people = [make_user() for _ in range(8)]
    pro_user = make_user(plan_id=pro.id)
    steady = make_idea(people[0], title="Export to Excel", area=area, at=LONG_AGO)
    rising = make_idea(people[0], title="Dark mode", at=LONG_AGO)
    falling = make_idea(people[0], title="Slack alerts", at=LONG_AGO)
    for person in people[1:4]:  # 3 votes in March, 4 in the previous period (Feb 18)
        vote(steady, person, MARCH_10)
    for person in people[4:8]:
        vote(steady, person, MARCH_10 - timedelta(days=20))
    for person in [*people[1:4], pro_user]:
        vote(rising, person, MARCH_10)  # 4 in March, none before
    vote(falling, people[1], MARCH_10 - timedelta(days=20))
    top = metrics.top_ideas(march())
    assert [(r.title, r.votes, r.previous_votes) for r in top] == [
        ("Dark mode", 4, 0),
        ("Export to Excel", 3, 4),
    ]
    assert [(r.title, r.velocity) for r in metrics.rising_ideas(march())] == [("Dark mode", 4)]
    assert [r.title for r in metrics.top_ideas(march(area=area))] == ["Export to Excel"]
    assert [(r.title, r.votes) for r in metrics.top_ideas(march(plan=pro))] == [("Dark mode", 1)]


def test_demand_by_area_voters_by_plan_and_company(app, make_user, make_area, make_plan):
    reports = make_area("Reports")
    free, pro = make_plan("Free"), make_plan("Pro")
    a = make_user(plan_id=pro.id, company="Initech")
    b = make_user(plan_id=pro.id, company="Initech")
    c = make_user(plan_id=free.id, company="Globex")
    d = make_user()
    author = make_user()  # votes for their own ideas, long before March
    one = make_idea(author, area=reports, at=LONG_AGO)
    two = make_idea(author, at=LONG_AGO)
    for person in (a, b, c):
        vote(one, person, MARCH_10)
    vote(two, a, MARCH_10)
    vote(two, d, MARCH_10)
    assert metrics.demand_by_area(march()) == [("Reports", 3, 3), ("No area", 2, 2)]
    assert metrics.voters_by_plan(march()) == [("Free", 1, 1), ("Pro", 2, 3), ("No plan", 1, 1)]
    assert metrics.voters_by_company(march()) == [("Initech", 2, 3), ("Globex", 1, 1)]
    assert metrics.voters_by_plan(march(plan=pro)) == [("Pro", 2, 3)]


def test_status_funnel_and_shipped(app, make_user, make_area):
    area = make_area()
    make_idea(make_user(), at=LONG_AGO)
    make_idea(make_user(), at=LONG_AGO, status=IdeaStatus.PLANNED, area=area)
    shipped = make_idea(make_user(), title="SSO", at=LONG_AGO, status=IdeaStatus.SHIPPED, area=area)
    shipped.status_changed_at = MARCH_10
    make_idea(make_user(), at=LONG_AGO, status=IdeaStatus.SHIPPED)  # shipped in January
    make_idea(make_user(), at=LONG_AGO, status=IdeaStatus.MERGED)
    db.session.commit()
    funnel = dict(metrics.status_funnel(march()))
    assert funnel == {
        "New": 1,
        "Under review": 0,
        "Planned": 1,
        "In progress": 0,
        "Shipped": 2,
        "Declined": 0,
    }
    assert dict(metrics.status_funnel(march(area=area)))["Shipped"] == 1
    assert [(s.title, s.shipped_at) for s in metrics.shipped_ideas(march())] == [("SSO", MARCH_10)]


def test_contributors_and_staff_share(app, make_user, make_area, make_plan):
    area, pro = make_area(), make_plan("Pro")
    staff, member, other = make_user("staff"), make_user(plan_id=pro.id), make_user()
    question = asked(area, MARCH_10)
    second = asked(area, MARCH_10)
    answered(question, 1, author=member, accepted_after=2)
    answered(second, 1, author=member)
    answered(question, 2, author=staff)
    answered(second, 2, author=staff, accepted_after=3)
    answered(second, 3, author=staff)
    answered(question, 4, author=other, deleted=True)  # deleted: not counted
    top = metrics.top_answerers(march())
    assert [(c.name, c.role, c.answers, c.accepted) for c in top] == [
        (staff.display_name, "Staff", 3, 1),
        (member.display_name, "Member", 2, 1),
    ]
    assert metrics.answer_share(march()) == {
        "Team": {"answers": 3, "accepted": 1},
        "Community": {"answers": 2, "accepted": 1},
    }
    assert [c.name for c in metrics.top_answerers(march(plan=pro))] == [member.display_name]
    elsewhere = make_area()
    assert metrics.top_answerers(march(area=elsewhere)) == []
    assert metrics.answer_share(march(area=elsewhere))["Team"]["answers"] == 0
    # The top two of four: a tie for second place goes to the first name.
    ana, bob = make_user(display_name="Ana"), make_user(display_name="Bob")
    for author in (ana, bob):
        answered(question, 5, author=author)
        answered(second, 5, author=author)
    top_two = metrics.top_answerers(march(), limit=2)
    assert [c.name for c in top_two] == [staff.display_name, "Ana"]


def test_demand_score_weights_voters_and_askers_by_plan(app, make_user, make_area, make_plan):
    enterprise = make_plan("Enterprise", weight=5)
    pro = make_plan("Pro", weight=2.5)
    boss = make_user(plan_id=enterprise.id)
    dev = make_user(plan_id=pro.id)
    anyone = make_user()
    asker = make_user(plan_id=enterprise.id)
    idea = make_idea(anyone, title="Audit log", at=LONG_AGO)  # anyone votes: weight 1
    vote(idea, boss, MARCH_10)  # 5
    vote(idea, dev, MARCH_10)  # 2.5
    area = make_area()
    for person in (asker, dev):  # asker: 5 more; dev asked too but counts once
        question = asked(area, MARCH_10, author=person)
        db.session.add(IdeaQuestion(idea_id=idea.id, question_id=question.id))
    other = make_idea(make_user(), title="Themes", at=LONG_AGO)  # one voter without a plan
    closed = make_idea(boss, title="Old", at=LONG_AGO, status=IdeaStatus.SHIPPED)
    quiet = make_idea(make_user(), title="Dark mode", at=LONG_AGO)
    db.session.execute(delete(IdeaVote).where(IdeaVote.idea_id == quiet.id))  # no voter left
    for idea_asked in (other, quiet):  # an Enterprise asker each: 5
        question = asked(area, MARCH_10, author=make_user(plan_id=enterprise.id))
        db.session.add(IdeaQuestion(idea_id=idea_asked.id, question_id=question.id))
    db.session.commit()
    scores = metrics.demand_scores(march())
    assert [(s.title, s.voters, s.askers, s.people, s.score) for s in scores] == [
        ("Audit log", 3, 2, 4, 13.5),
        ("Themes", 1, 1, 2, 6.0),
        ("Dark mode", 0, 1, 1, 5.0),
    ]
    assert closed.id not in [s.id for s in scores] and other.id in [s.id for s in scores]
    only_enterprise = metrics.demand_scores(march(plan=enterprise))
    assert [(s.title, s.score) for s in only_enterprise] == [
        ("Audit log", 10.0),
        ("Themes", 5.0),  # a tie: the older idea first
        ("Dark mode", 5.0),
    ]


def test_idea_quotes_prefer_the_official_response(app, make_user):
    team, member = make_user("product"), make_user()
    official = make_idea(member, at=LONG_AGO)
    recent = make_idea(member, at=LONG_AGO)
    silent = make_idea(member, at=LONG_AGO)

    def comment(idea, author, text, at, is_official=False):
        db.session.add(
            IdeaComment(
                idea_id=idea.id,
                author_id=author.id,
                body=text,
                body_html=f"<p>{text}</p>",
                is_official=is_official,
                created_at=at,
            )
        )

    comment(official, team, "We plan this for the spring release.", MARCH_10, is_official=True)
    comment(official, member, "Any news?", MARCH_10 + timedelta(days=1))
    comment(recent, member, "First.", MARCH_10)
    comment(recent, member, "Second " + "word " * 80, MARCH_10 + timedelta(days=1))
    db.session.commit()
    quotes = metrics.idea_quotes([official.id, recent.id, silent.id], length=40)
    assert quotes[official.id] == (team.display_name, "We plan this for the spring release.", True)
    who, text, is_official = quotes[recent.id]
    assert who == member.display_name and not is_official
    assert text.startswith("Second word") and text.endswith("…") and len(text) <= 40
    assert silent.id not in quotes


def _counted_by_hand(filters, limit):
    """Top and rising ideas from every vote row, the slow obvious way, as (id, now, before)."""
    previous = filters.previous()
    plans = dict(db.session.execute(select(User.id, User.plan_id)).all())
    counts: dict[int, list[int]] = {}
    for idea_id, user_id, at in db.session.execute(
        select(IdeaVote.idea_id, IdeaVote.user_id, IdeaVote.created_at)
    ):
        if filters.plan is not None and plans[user_id] != filters.plan.id:
            continue
        count = counts.setdefault(idea_id, [0, 0])
        if filters.start <= at < filters.end:
            count[0] += 1
        elif previous.start <= at < filters.start:
            count[1] += 1
    totals = dict(db.session.execute(select(Idea.id, Idea.vote_count + Idea.imported_votes)).all())
    rows = [(i, now, before) for i, (now, before) in counts.items()]
    top = sorted((r for r in rows if r[1] > 0), key=lambda r: (-r[1], -totals[r[0]], r[0]))
    rising = sorted((r for r in rows if r[1] > r[2]), key=lambda r: (r[2] - r[1], -r[1], r[0]))
    return top[:limit], rising[:limit]


def test_top_and_rising_ideas_among_many_match_a_count_of_every_vote(app, make_user, make_plan):
    """Over months, past SCOUTED_IDEAS ideas, the rankings count the ideas with the most votes
    first, and every vote only when others could still enter a list: the same lists as
    counting every vote by hand."""
    quarter = InsightsFilters(since=date(2026, 1, 15), until=date(2026, 4, 14), period="custom")
    pro = make_plan("Pro")
    people = [make_user(plan_id=pro.id if n % 3 == 0 else None) for n in range(24)]
    ideas = [make_idea(people[0], at=LONG_AGO) for _ in range(metrics.SCOUTED_IDEAS + 30)]
    hot, old, riser = ideas[:12], ideas[12:112], ideas[120]

    def cast(idea, voters, at):
        db.session.add_all(IdeaVote(idea_id=idea.id, user_id=p.id, created_at=at) for p in voters)
        db.session.commit()

    def ranked(filters, limit):
        g.pop("insights_memo", None)
        return (
            [(r.id, r.votes, r.previous_votes) for r in metrics.top_ideas(filters, limit)],
            [(r.id, r.votes, r.previous_votes) for r in metrics.rising_ideas(filters, limit)],
        )

    for idea in hot:  # 20 votes in March each: the lists are settled by the first ideas counted
        cast(idea, people[1:21], MARCH_10)
    for idea in old:  # 8 votes each long ago: more than the riser in all, none in the period
        cast(idea, people[1:9], LONG_AGO - timedelta(days=200))
    for filters in (quarter, march(), march(plan=pro)):
        assert ranked(filters, 10) == _counted_by_hand(filters, 10)
    assert [row[0] for row in ranked(quarter, 10)[1]] == [idea.id for idea in hot[:10]]

    cast(riser, people[1:6], MARCH_10)  # fewer votes in all than 100 others, yet rising
    for filters in (quarter, march(), march(plan=pro)):
        for limit in (10, 15):
            assert ranked(filters, limit) == _counted_by_hand(filters, limit)
    assert ranked(quarter, 15)[1][-1] == (riser.id, 5, 1)  # its author voted on January 1
