from portal.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD


def test_public_profile_shows_name_role_badge_and_activity(client, make_user):
    staff = make_user("staff", display_name="Sam Support")
    from portal.insights.events import record_event

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


def test_edit_own_name_company_and_plan(client, make_user, make_plan):
    user = make_user()
    pro = make_plan("Pro", weight=2)
    login(client, user)
    response = client.post(
        "/settings", data={"display_name": "New Name", "company": " Acme ", "plan": pro.slug}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.company, user.plan_id) == ("New Name", "Acme", pro.id)


def test_profile_edit_rejects_bad_input_and_keeps_it(client, make_user):
    login(client, make_user())
    page = client.post(
        "/settings", data={"display_name": "", "company": "c" * 121, "plan": "no-such-plan"}
    ).get_data(as_text=True)
    assert "Enter the name others will see." in page
    assert "At most 120 characters." in page
    assert "Not a valid choice" in page
    assert "c" * 121 in page


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
