"""Guidelines accepted again: after a material change, every member accepts them at their next
visit before going on."""

from tests.conftest import client_for


def test_members_accept_materially_changed_guidelines_at_their_next_visit(app, make_user):
    member, manager = make_user(), make_user("manager")
    client_for(app, manager).post(
        "/admin/guidelines",
        data={"guidelines": "- **Be kind.** Always.\n- **No ads.**", "accept_again": "y"},
    )
    client = client_for(app, member)
    response = client.get("/questions")
    assert response.status_code == 302 and "/guidelines/accept" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "have changed" in page and "No ads." in page
    assert client.get("/guidelines").status_code == 200  # still readable
    accepted = client.post("/guidelines/accept?next=/questions")
    assert accepted.status_code == 302 and accepted.location.endswith("/questions")
    assert client.get("/questions").status_code == 200
    # The manager who published them had accepted before: asked too, like everyone.
    assert client_for(app, manager).get("/questions").status_code == 302
    # A plain edit asks no one again.
    client_for(app, manager).post("/guidelines/accept")
    client_for(app, manager).post("/admin/guidelines", data={"guidelines": "- **Be kind.**"})
    other = make_user()
    assert client_for(app, other).get("/questions").status_code == 200
