"""Statuses the admins add, rename, recolour, reorder and remove within the fixed kinds: the
idea page, the board, the roadmap, notifications and the API follow."""

from sqlalchemy import select

from portal.extensions import db
from portal.ideas.models import IdeaStatus, IdeaStatusChange, IdeaStatusOption
from portal.ideas.services import cast_vote, save_status_option
from tests.api import bearer
from tests.concurrency import run_concurrently
from tests.conftest import login
from tests.ideas.helpers import fresh, notifications


def option(name: str) -> IdeaStatusOption:
    return db.session.scalars(select(IdeaStatusOption).where(IdeaStatusOption.name == name)).one()


def add_status(client, kind: str, name: str, colour: str):
    return client.post("/admin/statuses", data={"kind": kind, "name": name, "colour": colour})


def set_status(client, idea_id: int, value: str, note: str = ""):
    return client.post(
        f"/ideas/{idea_id}/status", data={"status-status": value, "status-note": note}
    )


def roadmap_headings(client) -> list[str]:
    html = client.get("/roadmap").get_data(as_text=True)
    return [
        part.split("</span>", 2)[1].split("<")[0].strip()
        for part in html.split('class="roadmap__heading"')[1:]
    ]


def test_a_status_added_within_a_kind_is_chosen_shown_and_on_the_roadmap(
    client, make_user, make_idea, worker_pass
):
    admin, product, voter = make_user("admin"), make_user("product"), make_user()
    idea = make_idea(title="Offline mode for the mobile app")
    worker_pass()
    login(client, admin)
    response = add_status(client, "in_progress", "Beta testing", "teal")
    assert response.status_code == 302
    listing = client.get("/admin/statuses").get_data(as_text=True)
    assert "Beta testing" in listing and "<code>beta-testing</code>" in listing

    login(client, product)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert '<optgroup label="In progress">' in page and 'value="beta-testing"' in page
    assert (
        set_status(client, idea.id, "beta-testing", "Try it from the beta channel.").status_code
        == 302
    )
    changed = fresh(idea.id)
    assert changed.status == IdeaStatus.IN_PROGRESS
    assert changed.status_option_id == option("Beta testing").id
    worker_pass()
    assert notifications("idea.status_changed")[0].title == (
        "“Offline mode for the mobile app” is now Beta testing"
    )

    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'class="pill pill--in_progress pill--c-teal"' in page and ">Beta testing</span>" in page
    cast_vote(fresh(idea.id), voter)  # an in-progress kind: it still takes votes
    db.session.commit()
    assert fresh(idea.id).vote_count == 2

    assert roadmap_headings(client) == ["Planned", "In progress", "Beta testing", "Shipped"]
    roadmap = client.get("/roadmap").get_data(as_text=True)
    beta_column = roadmap.split('id="roadmap-beta-testing"')[1].split("</section>")[0]
    assert "Offline mode for the mobile app" in beta_column
    in_progress = roadmap.split('id="roadmap-in_progress"')[1].split("</section>")[0]
    assert "Offline mode" not in in_progress

    board = client.get("/ideas?status=beta-testing").get_data(as_text=True)
    assert "Offline mode for the mobile app" in board
    assert "Offline mode" not in client.get("/ideas?status=in_progress").get_data(as_text=True)


def test_renaming_recolouring_and_reordering_show_at_once_on_kept_pages(
    client, make_user, make_idea
):
    admin = make_user("admin")
    idea = make_idea(title="Export to spreadsheet", status=IdeaStatus.SHIPPED)
    login(client, admin)
    add_status(client, "shipped", "In the beta", "orange")
    anonymous = client.application.test_client()
    assert roadmap_headings(anonymous) == ["Planned", "In progress", "Shipped", "In the beta"]

    shipped = option("Shipped")
    response = client.post(
        f"/admin/statuses/{shipped.id}", data={"name": "Released", "colour": "pink"}
    )
    assert response.status_code == 302
    beta = option("In the beta")
    assert (
        client.post(f"/admin/statuses/{beta.id}/move", data={"direction": "up"}).status_code == 302
    )

    assert roadmap_headings(anonymous) == ["Planned", "In progress", "In the beta", "Released"]
    page = anonymous.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'class="pill pill--shipped pill--c-pink"' in page and ">Released</span>" in page
    statuses = anonymous.get("/api/v1/statuses").get_json()
    shipped_kind = [s for s in statuses if s["kind"] == "shipped"]
    assert [(s["value"], s["label"], s["colour"]) for s in shipped_kind] == [
        ("in-the-beta", "In the beta", "orange"),
        ("shipped", "Released", "pink"),
    ]
    assert anonymous.get(f"/api/v1/ideas/{idea.id}").get_json()["status_label"] == "Released"


def test_removing_a_status_gives_its_ideas_the_kinds_default_and_keeps_history(
    client, make_user, make_idea
):
    admin, product = make_user("admin"), make_user("product")
    ideas = [make_idea(title=f"Dark theme variant {n}") for n in range(2)]
    login(client, admin)
    add_status(client, "planned", "Next quarter", "blue")
    login(client, product)
    for idea in ideas:
        assert set_status(client, idea.id, "next-quarter").status_code == 302
    login(client, admin)
    next_quarter = option("Next quarter")
    response = client.post(f"/admin/statuses/{next_quarter.id}/remove", follow_redirects=True)
    assert "Status “Next quarter” removed; 2 ideas now show “Planned”." in response.get_data(
        as_text=True
    )
    assert all(fresh(i.id).status_option_id is None for i in ideas)
    assert all(fresh(i.id).status == IdeaStatus.PLANNED for i in ideas)
    history = db.session.scalars(
        select(IdeaStatusChange).where(IdeaStatusChange.to_status == IdeaStatus.PLANNED)
    ).all()
    assert len(history) == 2 and {change.to_option_id for change in history} == {None}
    page = client.get(f"/ideas/{ideas[0].id}").get_data(as_text=True)
    assert "Next quarter" not in page and ">Planned</span>" in page

    planned = option("Planned")
    response = client.post(f"/admin/statuses/{planned.id}/remove", follow_redirects=True)
    assert "“Planned” is its kind’s default: rename it instead." in response.get_data(as_text=True)
    assert db.session.get(IdeaStatusOption, planned.id) is not None


def test_bad_status_input_gets_a_clear_error_and_changes_nothing(client, make_user, make_idea):
    admin = make_user("admin")
    login(client, admin)
    add_status(client, "declined", "Won't do", "red")
    cases = [
        ({"kind": "planned", "name": "", "colour": "blue"}, "Give the status a name."),
        ({"kind": "planned", "name": "won't DO", "colour": "blue"}, "already exists"),
        ({"kind": "planned", "name": "Soon", "colour": "#ff0000"}, "Not a valid choice"),
        ({"kind": "merged", "name": "Soon", "colour": "blue"}, "Not a valid choice"),
        ({"kind": "planned", "name": "x" * 41, "colour": "blue"}, "under 40 characters"),
        ({"kind": "planned", "name": "Soon\x00", "colour": "blue"}, None),
    ]
    for data, message in cases:
        response = client.post("/admin/statuses", data=data)
        assert response.status_code in (200, 400), data
        if message:
            assert message in response.get_data(as_text=True), data
    assert db.session.scalar(select(db.func.count()).select_from(IdeaStatusOption)) == 7

    # A declined kind needs its reason, whatever the status is called.
    login(client, make_user("product"))
    idea = make_idea()
    html = set_status(client, idea.id, "won-t-do").get_data(as_text=True)
    assert "Say why the idea is declined" in html and fresh(idea.id).status == IdeaStatus.NEW
    unknown = set_status(client, idea.id, "no-such")
    assert unknown.status_code == 200 and "Not a valid choice" in unknown.get_data(as_text=True)
    assert fresh(idea.id).status == IdeaStatus.NEW


def test_the_api_filters_by_and_sets_a_custom_status(client, make_user, make_idea):
    admin = make_user("admin")
    login(client, admin)
    add_status(client, "under_review", "Gathering feedback", "amber")
    idea, other = make_idea(title="Calendar sync"), make_idea(title="Calendar export")
    headers = bearer(make_user("product"), "read", "write")
    response = client.post(
        f"/api/v1/ideas/{idea.id}/status",
        json={"status": "gathering-feedback", "note": ""},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["status_kind"], body["status_label"]) == (
        "gathering-feedback",
        "under_review",
        "Gathering feedback",
    )
    listed = client.get("/api/v1/ideas?status=gathering-feedback", headers=headers).get_json()
    assert [item["id"] for item in listed["items"]] == [idea.id]
    open_ideas = client.get("/api/v1/ideas", headers=headers).get_json()
    assert {item["id"] for item in open_ideas["items"]} == {idea.id, other.id}
    bad = client.get("/api/v1/ideas?status=nonsense", headers=headers)
    assert bad.status_code == 422


def test_two_admins_adding_the_same_name_at_once_make_one_status(app, make_user):
    admin_id = make_user("admin").id

    def add(_):
        from portal.accounts.models import User

        save_status_option(
            None, kind="planned", name="Up next", colour="teal", by=db.session.get(User, admin_id)
        )
        db.session.commit()

    errors = run_concurrently(app, add, threads=4)
    assert len(errors) == 3 and all("already exists" in str(error) for error in errors)
    db.session.expire_all()
    assert (
        len(
            db.session.scalars(
                select(IdeaStatusOption).where(IdeaStatusOption.name == "Up next")
            ).all()
        )
        == 1
    )
