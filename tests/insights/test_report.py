import csv
import html
import io
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from portal.activity.models import ActivityEvent
from portal.clock import utcnow
from portal.extensions import db
from portal.ideas.models import IdeaComment, IdeaStatus, IdeaVote
from portal.search.models import SearchQuery
from tests.conftest import login
from tests.factories import make_answer, make_idea, make_question


@pytest.fixture
def march_data(app):
    for day in (3, 4, 5):
        db.session.add(ActivityEvent(kind="question.asked", created_at=datetime(2026, 3, day)))
    db.session.add(ActivityEvent(kind="question.asked", created_at=datetime(2026, 2, 10)))
    for _ in range(2):
        db.session.add(SearchQuery(query="dark | mode", results=0, created_at=datetime(2026, 3, 9)))
    db.session.commit()


@pytest.fixture
def staff(client, make_user):
    login(client, make_user("staff"))


def test_report_page_prints_headline_and_gaps(client, staff, march_data):
    response = client.get("/insights/report?since=2026-03-01&until=2026-03-31")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Product feedback report: 2026-03-01 to 2026-03-31" in page
    assert "Headline numbers" in page and "+200%" in page  # 3 questions against 1
    assert "dark | mode" in page
    assert re.search(r"/static/css/report\.[0-9a-f]{12}\.css", page)


def test_report_as_markdown_and_csv(client, staff, march_data):
    markdown = client.get("/insights/report?since=2026-03-01&until=2026-03-31&format=md")
    text = markdown.get_data(as_text=True)
    assert markdown.mimetype == "text/markdown"
    assert "| Questions | 3 | 1 | +200% |" in text
    assert "| dark \\| mode | 2 | 0 |" in text
    csv_text = client.get("/insights/report?since=2026-03-01&until=2026-03-31&format=csv").get_data(
        as_text=True
    )
    assert "Headline numbers,Questions,3,1,+200%" in csv_text


def test_report_bad_input(client, staff):
    assert client.get("/insights/report?format=pdf").status_code == 400
    response = client.get("/insights/report?since=2026-03-10&until=2026-03-01")
    assert response.status_code == 400
    assert "The end date is before the start date." in response.get_data(as_text=True)


def test_report_command_writes_a_file(runner, march_data, tmp_path):
    target = tmp_path / "report.md"
    result = runner.invoke(
        args=[
            "insights",
            "report",
            "--since",
            "2026-03-01",
            "--until",
            "2026-03-31",
            "--format",
            "md",
            "--output",
            str(target),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "| Questions | 3 | 1 | +200% |" in target.read_text()
    html = runner.invoke(
        args=[
            "insights",
            "report",
            "--since",
            "2026-03-01",
            "--until",
            "2026-03-31",
            "--format",
            "html",
        ]
    )
    assert html.exit_code == 0 and '<h2 id="section-headline">' in html.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-02-30", "--until", "2026-03-01"], "use a date like"),
        (["--since", "2026-03-10", "--until", "2026-03-01"], "before the start date"),
        (["--since", "2026-03-01", "--until", "2026-03-31", "--area", "nope"], "no product area"),
    ],
)
def test_report_command_bad_input(runner, args, message):
    result = runner.invoke(args=["insights", "report", *args])
    assert result.exit_code != 0 and message in result.output


def test_report_sections_on_ideas_and_support(client, staff, make_user, make_area):
    area = make_area("Billing")
    team, voter = make_user("product"), make_user()
    idea = make_idea(title="Export invoices as PDF", area=area, at=datetime(2026, 1, 1))
    db.session.add(IdeaVote(idea_id=idea.id, user_id=voter.id, created_at=datetime(2026, 3, 5)))
    db.session.add(
        IdeaComment(
            idea_id=idea.id,
            author_id=team.id,
            body="On the roadmap for April.",
            body_html="<p>On the roadmap for April.</p>",
            is_official=True,
            created_at=datetime(2026, 3, 6),
        )
    )
    make_idea(
        title="Single sign-on",
        status=IdeaStatus.SHIPPED,
        status_changed_at=datetime(2026, 3, 20),
        at=datetime(2026, 1, 1),
    )
    slow = make_question(
        area=area, title="Refund stuck in pending", created_at=datetime(2026, 3, 2)
    )
    slow.view_count = 42
    answer = make_answer(slow)
    answer.created_at = datetime(2026, 3, 2, 6)  # 6 hours later
    make_question(area=area, title="Invoice address", created_at=datetime(2026, 3, 3))
    db.session.commit()
    text = client.get("/insights/report?since=2026-03-01&until=2026-03-31&format=md").get_data(
        as_text=True
    )
    assert "## Most wanted ideas" in text
    assert (
        f"| [Export invoices as PDF](http://localhost/ideas/{idea.id}) | New | 1 | 0 | 1 |" in text
    )
    assert "## Rising ideas" in text
    assert "> On the roadmap for April." in text
    assert f"> — {team.display_name}, official response on “Export invoices as PDF”" in text
    assert "| [Single sign-on](http://localhost/ideas/" in text and "| — | 2026-03-20 | 1 |" in text
    assert "| Billing | 2 | 1 | 6.0 h | — | 0% |" in text
    assert (
        f"| [Refund stuck in pending](http://localhost/questions/{slow.id}) | Billing | 42 | 1 |"
        in text
    )
    page = client.get("/insights/report?since=2026-03-01&until=2026-03-31").get_data(as_text=True)
    assert "Support pain points" in page and "Most viewed unsolved questions" in page
    assert "On the roadmap for April." in page


@pytest.fixture
def mobile_enterprise(make_area, make_plan):
    area = make_area("Mobile app", slug="mobile-app")
    plan = make_plan("Enterprise")
    plan.slug = "enterprise"
    db.session.commit()
    return area, plan


def _query(href: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(html.unescape(href)).query))


def test_report_link_and_downloads_carry_every_filter(client, staff, mobile_enterprise):
    page = client.get("/insights?period=90&area=mobile-app&plan=enterprise").text
    link = re.search(r'href="([^"]*/insights/report[^"]*)"', page).group(1)
    today = utcnow().date()
    expected = {
        "period": "custom",
        "since": (today - timedelta(days=89)).isoformat(),
        "until": today.isoformat(),
        "area": "mobile-app",
        "plan": "enterprise",
    }
    assert _query(link) == expected
    title = f"Product feedback report: {expected['since']} to {expected['until']}"
    title += " · Mobile app · Enterprise plan"

    report = client.get(html.unescape(link)).text
    assert f"<h1>{title}</h1>" in report
    downloads = re.findall(r'href="([^"]*/insights/report\?[^"]*)" download', report)
    assert {_query(href)["format"] for href in downloads} == {"html", "md", "csv"}
    for href in downloads:
        assert {k: v for k, v in _query(href).items() if k in expected} == expected
        response = client.get(html.unescape(href))
        assert response.status_code == 200
        name = f"product-feedback-{expected['since']}-{expected['until']}-mobile-app-enterprise"
        assert f'filename="{name}.' in response.headers["Content-Disposition"]
        text = response.text
        if _query(href)["format"] == "md":
            assert text.startswith(f"# {title}\n")
        elif _query(href)["format"] == "csv":
            assert next(csv.reader(io.StringIO(text))) == [title]
        else:
            assert f"<title>{title} · " in text and f"<h1>{title}</h1>" in text
            assert "<style>" in text  # a file that stands alone


def test_markdown_links_each_idea_and_question(client, staff, make_user, make_area):
    area = make_area("Billing")
    idea = make_idea(title="Export [PDF] | CSV", area=area, at=datetime(2026, 1, 1))
    db.session.add(
        IdeaVote(idea_id=idea.id, user_id=make_user().id, created_at=datetime(2026, 3, 5))
    )
    question = make_question(area=area, title="Refund pending", created_at=datetime(2026, 3, 2))
    question.view_count = 3
    db.session.commit()
    text = client.get("/insights/report?since=2026-03-01&until=2026-03-31&format=md").text
    # Brackets escaped, so a title cannot close the link text; the table's pipes escaped too.
    assert f"| [Export \\[PDF\\] \\| CSV](http://localhost/ideas/{idea.id}) |" in text
    assert f"| [Refund pending](http://localhost/questions/{question.id}) |" in text
    page = client.get("/insights/report?since=2026-03-01&until=2026-03-31").text
    assert f'<a href="http://localhost/questions/{question.id}">Refund pending</a>' in page


def test_report_command_takes_a_plan(runner, mobile_enterprise):
    args = ["insights", "report", "--since", "2026-03-01", "--until", "2026-03-31"]
    result = runner.invoke(args=[*args, "--area", "mobile-app", "--plan", "enterprise"])
    assert result.exit_code == 0, result.output
    title = "# Product feedback report: 2026-03-01 to 2026-03-31 · Mobile app · Enterprise plan"
    assert result.output.startswith(title + "\n")
    result = runner.invoke(args=[*args, "--plan", "nope"])
    assert result.exit_code != 0 and "no plan" in result.output
