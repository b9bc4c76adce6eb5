from portal.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD


def test_public_profile_shows_name_role_badge_and_activity(client, make_user):
    staff = make_user("staff", display_name="Sam Support")
    from portal.activity import record_event

    record_event("user.registered", actor=staff, subject=staff)
    db.session.commit()
    page = client.get(f"/users/{staff.id}").get_data(as_text=True)
    assert "Sam Support" in page
    assert 'class="badge badge--staff"' in page
    assert "Joined the community" in page
    assert "Edit profile" not in page


def test_unknown_profile_is_a_404_page(client):
    response = client.get("/users/999999")
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.get_data(as_text=True)


def test_saving_the_profile_keeps_the_segment_the_team_set(client, make_user, make_plan):
    """Company and plan weigh a member's votes, so only the team sets them: a member sees
    them, and saving the profile (even with forged fields) leaves them as they were."""
    enterprise, pro = make_plan("Enterprise", weight=5), make_plan("Pro", weight=2)
    user = make_user(company="Acme", plan_id=pro.id)
    login(client, user)
    page = client.get("/settings").get_data(as_text=True)
    assert "Acme" in page and "Pro" in page
    assert 'name="plan"' not in page and 'name="company"' not in page
    response = client.post(
        "/settings",
        data={"display_name": "New Name", "company": "Forged Inc", "plan": enterprise.slug},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.company, user.plan_id) == ("New Name", "Acme", pro.id)


def test_profile_edit_rejects_bad_input_and_keeps_it(client, make_user):
    login(client, make_user())
    page = client.post("/settings", data={"display_name": "x" * 61}).get_data(as_text=True)
    assert "Use 2 to 60 characters." in page
    assert "x" * 61 in page


def test_a_members_segment_is_shown_to_the_team_and_themselves(app, make_user, make_plan):
    member = make_user(company="Acme Corp", plan_id=make_plan("Enterprise").id)
    viewers = {
        "anonymous": None,
        "member": make_user(),
        "themselves": member,
        "staff": make_user("staff"),
        "product": make_user("product"),
        "admin": make_user("admin"),
    }
    seen = {}
    for name, viewer in viewers.items():
        client = app.test_client()
        if viewer is not None:
            login(client, viewer)
        page = client.get(f"/users/{member.id}").get_data(as_text=True)
        seen[name] = "Acme Corp" in page and "Enterprise plan" in page
    assert seen == {
        "anonymous": False,
        "member": False,
        "themselves": True,
        "staff": True,
        "product": True,
        "admin": True,
    }


def test_change_password_logs_out_other_sessions(app, make_user):
    user = make_user()
    first, second = app.test_client(), app.test_client()
    login(first, user)
    login(second, user)
    response = first.post(
        "/settings/password",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "an even longer phrase",
            "pw-confirm_password": "an even longer phrase",
        },
    )
    assert response.status_code == 302
    assert "Log out" in first.get("/").get_data(as_text=True)
    assert "Log out" not in second.get("/").get_data(as_text=True)
    login_again = app.test_client().post(
        "/login", data={"email": user.email, "password": "an even longer phrase"}
    )
    assert login_again.status_code == 302


def test_change_password_with_wrong_current_password(client, make_user):
    user = make_user()
    login(client, user)
    old_hash = user.password_hash
    page = client.post(
        "/settings/password",
        data={
            "pw-current_password": "wrong one here",
            "pw-new_password": "an even longer phrase",
            "pw-confirm_password": "something else entirely",
        },
    ).get_data(as_text=True)
    assert "Your current password is not correct." in page or "not the same" in page
    db.session.refresh(user)
    assert user.password_hash == old_hash


def test_settings_need_login(client):
    response = client.get("/settings")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
