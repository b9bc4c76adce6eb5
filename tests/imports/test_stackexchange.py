"""Import the real Stack Exchange dumps in ../shared/data and check the portal holds what the XML
holds (the expected numbers are computed from the XML here, not written down)."""

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from portal.attribution import ImportedRecord
from portal.extensions import db
from portal.imports.stackexchange import StackExchangeImport, parse_tags
from portal.support.models import Answer, Comment, Question
from portal.support.recount import recount

DUMPS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "stackexchange"
pytestmark = pytest.mark.skipif(not DUMPS.exists(), reason=f"no dumps at {DUMPS}")


def xml_rows(path: Path) -> list[dict]:
    return [dict(el.attrib) for el in ET.parse(path).getroot().iter("row")]


def expected(site: str) -> dict:
    posts = xml_rows(DUMPS / site / "Posts.xml")
    questions = {p["Id"] for p in posts if p["PostTypeId"] == "1"}
    answers = {p["Id"]: p["ParentId"] for p in posts if p["PostTypeId"] == "2"}
    answered = {a for a, parent in answers.items() if parent in questions}
    accepted = {
        p["Id"] for p in posts if p["PostTypeId"] == "1" and p.get("AcceptedAnswerId") in answered
    }
    links = DUMPS / site / "PostLinks.xml"
    duplicates = set()
    if links.exists():
        duplicates = {
            r["PostId"]
            for r in xml_rows(links)
            if r["LinkTypeId"] == "3"
            and r["PostId"] in questions
            and r["RelatedPostId"] in questions
        }
    return {
        "questions": len(questions),
        "answers": len(answered),
        "accepted": len(accepted),
        "duplicates": len(duplicates),
    }


def counts() -> dict:
    count = lambda stmt: db.session.execute(stmt).scalar_one()  # noqa: E731
    return {
        "questions": count(db.select(db.func.count(Question.id))),
        "answers": count(db.select(db.func.count(Answer.id))),
        "accepted": count(db.select(db.func.count(Answer.id)).where(Answer.is_accepted)),
        "duplicates": count(
            db.select(db.func.count(Question.id)).where(Question.duplicate_of_id.is_not(None))
        ),
    }


def run_import(runner, path: Path, *extra: str):
    result = runner.invoke(args=["import", "stackexchange", str(path), "--no-index", *extra])
    return result


@pytest.mark.parametrize("site", ["bicycles.meta", "coffee"])
def test_counts_match_the_dump_and_counters_do_not_drift(runner, site):
    result = run_import(runner, DUMPS / site)
    assert result.exit_code == 0, result.output
    assert counts() == expected(site)
    assert recount(fix=False) == []
    assert "Imported" in result.output


def test_a_second_run_changes_nothing(runner):
    assert run_import(runner, DUMPS / "coffee").exit_code == 0
    tables = [Question, Answer, Comment, ImportedRecord]
    before = {
        t: db.session.execute(db.select(db.func.count()).select_from(t)).scalar() for t in tables
    }
    again = run_import(runner, DUMPS / "coffee")
    assert again.exit_code == 0, again.output
    assert "Imported 0 users, 0 questions, 0 answers" in again.output
    db.session.expire_all()
    after = {
        t: db.session.execute(db.select(db.func.count()).select_from(t)).scalar() for t in tables
    }
    assert after == before


def test_a_second_dump_lives_beside_the_first(runner, make_area):
    make_area("Coffee gear", slug="coffee-gear")
    assert run_import(runner, DUMPS / "coffee", "--product-area", "coffee-gear").exit_code == 0
    assert run_import(runner, DUMPS / "bicycles.meta").exit_code == 0
    areas = dict(
        db.session.execute(
            db.select(Question.product_area_id, db.func.count()).group_by(Question.product_area_id)
        ).all()
    )
    assert sorted(areas.values()) == sorted(
        [expected("coffee")["questions"], expected("bicycles.meta")["questions"]]
    )


def test_known_question_shows_its_accepted_answer_first(runner, client):
    assert run_import(runner, DUMPS / "coffee").exit_code == 0
    posts = xml_rows(DUMPS / "coffee" / "Posts.xml")
    answers_per_question = {}
    for p in posts:
        if p["PostTypeId"] == "2":
            answers_per_question.setdefault(p["ParentId"], []).append(p)
    source = next(
        p
        for p in posts
        if p.get("AcceptedAnswerId")
        and len(answers_per_question.get(p["Id"], [])) >= 2
        and int(p["AcceptedAnswerId"]) != max(int(a["Id"]) for a in answers_per_question[p["Id"]])
    )
    record = db.session.execute(
        db.select(ImportedRecord).where(
            ImportedRecord.source_type == "post", ImportedRecord.source_id == int(source["Id"])
        )
    ).scalar_one()
    accepted = db.session.execute(
        db.select(ImportedRecord.target_id).where(
            ImportedRecord.source_type == "post",
            ImportedRecord.source_id == int(source["AcceptedAnswerId"]),
        )
    ).scalar_one()
    page = client.get(f"/questions/{record.target_id}", follow_redirects=True).get_data(
        as_text=True
    )
    assert source["Title"].replace("'", "&#39;") in page
    first_answer = page.index('id="answer-')
    assert page[first_answer:].startswith(f'id="answer-{accepted}"')


def test_imported_users_cannot_log_in(runner, client):
    assert run_import(runner, DUMPS / "bicycles.meta").exit_code == 0
    from portal.accounts.models import User

    user = db.session.execute(db.select(User).where(User.is_imported).limit(1)).scalar_one()
    assert user.email is None and user.password_hash is None


@pytest.mark.parametrize(
    ("raw", "tags"),
    [
        ("<coffee><espresso-machine>", ["coffee", "espresso-machine"]),
        ("|a|b-c|", ["a", "b-c"]),
        ("", []),
    ],
)
def test_both_tag_formats(raw, tags):
    assert parse_tags(raw) == tags


def _copy(site: str, tmp_path: Path) -> Path:
    target = tmp_path / site
    shutil.copytree(DUMPS / site, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def test_truncated_file_is_a_clear_error_and_a_rerun_completes(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(StackExchangeImport, "batch_size", 50)  # several batches before the cut
    dump = _copy("coffee", tmp_path)
    posts = dump / "Posts.xml"
    whole = posts.read_bytes()
    posts.write_bytes(whole[: len(whole) // 2])
    result = run_import(runner, dump)
    assert result.exit_code != 0
    assert "Posts.xml is not well-formed XML" in result.output
    assert "the last complete row was Id=" in result.output
    partial = counts()["questions"]
    assert 0 < partial < expected("coffee")["questions"]
    assert partial % 50 == 0  # whole batches only: the failing batch was rolled back
    posts.write_bytes(whole)
    assert run_import(runner, dump).exit_code == 0
    assert counts() == expected("coffee")


def test_row_missing_a_required_attribute_names_the_file_and_row(runner, tmp_path):
    dump = _copy("coffee", tmp_path)
    posts = dump / "Posts.xml"
    text = posts.read_text(encoding="utf-8-sig")
    victim = next(p["Id"] for p in xml_rows(posts) if p["PostTypeId"] == "1")
    broken, replaced = re.subn(
        rf'(<row Id="{victim}" [^>]*?)CreationDate="[^"]*" ', r"\1", text, count=1
    )
    assert replaced == 1
    posts.write_text(broken, encoding="utf-8")
    result = run_import(runner, dump)
    assert result.exit_code != 0
    assert f"Posts.xml: row Id={victim} has no CreationDate attribute." in result.output
    assert counts()["questions"] == 0


def test_search_finds_an_imported_question_by_a_phrase_from_its_body(runner, client):
    result = runner.invoke(args=["import", "stackexchange", str(DUMPS / "coffee")])
    assert result.exit_code == 0, result.output
    assert "Search index:" in result.output
    source = next(
        p
        for p in xml_rows(DUMPS / "coffee" / "Posts.xml")
        if p["PostTypeId"] == "1" and "optimal way to store" in p.get("Body", "")
    )
    page = client.get('/search?q="optimal way to store"').get_data(as_text=True)
    assert source["Title"] in page


def test_imported_posts_show_their_attribution(runner, client):
    assert run_import(runner, DUMPS / "coffee").exit_code == 0
    source = next(
        p
        for p in xml_rows(DUMPS / "coffee" / "Posts.xml")
        if p["PostTypeId"] == "1" and p.get("OwnerUserId")
    )
    record = db.session.execute(
        db.select(ImportedRecord).where(
            ImportedRecord.source_type == "post", ImportedRecord.source_id == int(source["Id"])
        )
    ).scalar_one()
    page = client.get(f"/questions/{record.target_id}", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Originally posted on" in page
    assert f'href="https://coffee.stackexchange.com/q/{source["Id"]}"' in page
    assert "CC BY-SA" in page


def test_feature_requests_become_ideas_with_their_status(runner, client):
    from portal.ideas.models import Idea, IdeaComment, IdeaStatus

    result = run_import(runner, DUMPS / "bicycles.meta", "--ideas-from-tag", "feature-request")
    assert result.exit_code == 0, result.output
    posts = xml_rows(DUMPS / "bicycles.meta" / "Posts.xml")
    requests = {p["Id"]: p for p in posts if "feature-request" in parse_tags(p.get("Tags"))}
    answers = [p for p in posts if p["PostTypeId"] == "2" and p["ParentId"] in requests]
    ideas = db.session.scalars(db.select(Idea)).all()
    assert len(ideas) == len(requests)
    assert counts()["questions"] == expected("bicycles.meta")["questions"] - len(requests)
    assert db.session.execute(db.select(db.func.count(IdeaComment.id))).scalar() == len(answers)
    shipped = [p for p in requests.values() if "status-completed" in parse_tags(p.get("Tags"))]
    assert len([i for i in ideas if i.status == IdeaStatus.SHIPPED]) == len(shipped)
    sample = next(p for p in shipped if int(p.get("Score") or 0) > 0)
    record = db.session.execute(
        db.select(ImportedRecord).where(
            ImportedRecord.source_type == "post", ImportedRecord.source_id == int(sample["Id"])
        )
    ).scalar_one()
    idea = db.session.get(Idea, record.target_id)
    assert (record.target_type, idea.imported_votes) == ("idea", int(sample["Score"]))
    assert client.get(f"/ideas/{idea.id}").status_code == 200
    again = run_import(runner, DUMPS / "bicycles.meta", "--ideas-from-tag", "feature-request")
    assert "0 ideas" in again.output
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count(Idea.id))).scalar() == len(requests)


def test_an_imported_post_is_edited_from_markdown_made_from_its_html(runner, client, make_user):
    from tests.conftest import login

    assert run_import(runner, DUMPS / "coffee").exit_code == 0
    question = db.session.execute(
        db.select(Question).where(Question.body_html.like("%<p>%")).limit(1)
    ).scalar_one()
    assert question.body == ""
    login(client, make_user("staff"))
    form = client.get(f"/questions/{question.id}/edit").get_data(as_text=True)
    textarea = form.split('name="body"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    assert textarea.strip() and "&lt;p&gt;" not in textarea
