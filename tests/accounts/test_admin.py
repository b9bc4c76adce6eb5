import io

import pytest

from portal.accounts.models import Plan, Role
from portal.extensions import db
from portal.taxonomy.models import ProductArea
from tests.accounts.test_brand_logo import image_bytes
from tests.conftest import login
from tests.mailbox import body_of

PNG = image_bytes()


@pytest.fixture
def admin(client, make_user):
    user = make_user("admin")
    login(client, user)
    return user


def test_find_users_by_name_or_email(client, admin, make_user):
    make_user(display_name="Findable Person", email="findme@example.com")
    make_user(display_name="Someone Else")
    page = client.get("/admin/users?q=findable").get_data(as_text=True)
    assert "Findable Person" in page and "Someone Else" not in page
    assert "findme@example.com" in client.get("/admin/users?q=FINDME").get_data(as_text=True)


def test_change_role(client, admin, make_user):
    member = make_user()
    assert (
        client.post(f"/admin/users/{member.id}/role", data={"role-role": "staff"}).status_code
        == 302
    )
    db.session.refresh(member)
    assert member.role == Role.STAFF


def test_admin_cannot_demote_themselves(client, admin):
    response = client.post(f"/admin/users/{admin.id}/role", data={"role-role": "member"})
    assert response.status_code == 400
    assert "You cannot remove your own admin role" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN


def test_unknown_role_is_refused(client, admin, make_user):
    member = make_user()
    response = client.post(f"/admin/users/{member.id}/role", data={"role-role": "overlord"})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_suspend_and_unsuspend(client, admin, make_user, app):
    member = make_user()
    response = client.post(f"/admin/users/{member.id}/suspend", data={"suspend-reason": ""})
    assert "Say why" in response.get_data(as_text=True)
    client.post(f"/admin/users/{member.id}/suspend", data={"suspend-reason": "spam links"})
    db.session.refresh(member)
    assert member.is_suspended and member.suspension_reason == "spam links"

    member_client = app.test_client()
    login(member_client, member)
    page = member_client.get("/").get_data(as_text=True)
    assert "Your account is suspended: spam links" in page
    preview = member_client.post("/markdown/preview", data={"text": "hi"})
    assert preview.status_code == 403

    client.post(f"/admin/users/{member.id}/unsuspend")
    db.session.refresh(member)
    assert not member.is_suspended


def test_set_customer_segment(client, admin, make_user, make_plan):
    member = make_user()
    plan = make_plan("Enterprise", weight=5)
    client.post(
        f"/admin/users/{member.id}/segment",
        data={"segment-company": "Initech", "segment-plan": plan.slug},
    )
    db.session.refresh(member)
    assert (member.company, member.plan_id) == ("Initech", plan.id)


def test_product_areas_add_edit_and_clash(client, admin):
    client.post("/admin/areas", data={"name": "Mobile App", "slug": "", "description": "Apps"})
    area = db.session.execute(db.select(ProductArea)).scalar_one()
    assert area.slug == "mobile-app"
    page = client.post("/admin/areas", data={"name": "Mobile App", "slug": ""}).get_data(
        as_text=True
    )
    assert "already exists" in page
    page = client.post("/admin/areas", data={"name": "X", "slug": "Bad Slug!"}).get_data(
        as_text=True
    )
    assert "Lowercase letters, digits and hyphens only." in page
    client.post(f"/admin/areas/{area.id}", data={"name": "Mobile", "slug": "mobile"})
    db.session.refresh(area)
    assert (area.name, area.slug) == ("Mobile", "mobile")


def test_plans_add_and_validate_weight(client, admin):
    client.post("/admin/plans", data={"name": "Enterprise", "weight": "5"})
    plan = db.session.execute(db.select(Plan)).scalar_one()
    assert (plan.slug, plan.weight) == ("enterprise", 5.0)
    page = client.post("/admin/plans", data={"name": "Huge", "weight": "1000"}).get_data(
        as_text=True
    )
    assert "Use a number from 0.1 to 100." in page
    assert 'value="Huge"' in page


def test_brand_settings_apply_to_every_page(client, admin):
    assert "Globex" not in client.get("/").get_data(as_text=True)  # the settings are read
    response = client.post(
        "/admin/brand",
        data={
            "community_name": "Globex Community",
            "tagline": "Help for Globex",
            "primary_color": "#7a1f5c",
            "logo": (io.BytesIO(PNG), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Globex Community" in home and "Help for Globex" in home
    assert "--brand: #7a1f5c" in client.get("/brand.css").get_data(as_text=True)
    logo_url = home.split('class="brand__logo" src="')[1].split('"')[0]
    logo = client.get(logo_url)
    assert logo.data.startswith(b"\x89PNG") and logo.mimetype == "image/png"
    logo.close()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"primary_color": "red"}, "Use a colour like #2457c5"),
        ({"primary_color": "#ffff00"}, "pick a darker colour"),
        ({"logo": (io.BytesIO(b"<svg onload=alert(1)>"), "logo.svg")}, "SVG is not accepted"),
        ({"logo": (io.BytesIO(b"not really a png"), "logo.png")}, "not a valid PNG"),
    ],
)
def test_bad_brand_settings_are_explained(client, admin, data, message):
    form = {"community_name": "Globex", "tagline": "", "primary_color": "#2457c5", **data}
    response = client.post("/admin/brand", data=form, content_type="multipart/form-data")
    assert message in response.get_data(as_text=True)
    assert "Globex" not in client.get("/").get_data(as_text=True).split("<main")[0]


def test_edit_guidelines_renders_sanitised_markdown(client, admin):
    client.post(
        "/admin/guidelines", data={"guidelines": "# Rules\n\n<script>x()</script> **Be nice**"}
    )
    page = client.get("/guidelines").get_data(as_text=True)
    assert "<strong>Be nice</strong>" in page
    assert "<script>x()" not in page
    empty = client.post("/admin/guidelines", data={"guidelines": ""}).get_data(as_text=True)
    assert "The guidelines cannot be empty" in empty


def test_admin_pages_are_for_admins_only(client, make_user):
    login(client, make_user("staff"))
    assert client.get("/admin/users").status_code == 403


def test_a_suspended_admin_cannot_lift_their_own_suspension(client, make_user):
    admin = make_user("admin", suspended=True)
    login(client, admin)
    response = client.post(f"/admin/users/{admin.id}/unsuspend")
    assert response.status_code == 403
    assert "Your account is suspended" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.is_suspended


def test_only_another_admin_lifts_a_suspension(client, admin, make_user):
    from portal.accounts.services import unsuspend_user
    from portal.writes import Refused

    suspended_admin = make_user("admin", suspended=True)
    with pytest.raises(Refused, match="your own suspension"):
        unsuspend_user(suspended_admin, by=suspended_admin)
    db.session.rollback()
    assert client.post(f"/admin/users/{suspended_admin.id}/unsuspend").status_code == 302
    db.session.refresh(suspended_admin)
    assert not suspended_admin.is_suspended and suspended_admin.role == Role.ADMIN


def test_admin_resends_or_marks_an_unconfirmed_address(
    client, admin, make_user, mailbox, worker_pass
):
    waiting = make_user(email="waiting@example.com", email_confirmed_at=None)
    page = client.get(f"/admin/users/{waiting.id}").get_data(as_text=True)
    assert "Unconfirmed" in page and "Resend confirmation" in page and "Mark confirmed" in page
    listing = client.get("/admin/users?q=waiting").get_data(as_text=True)
    assert 'data-label="State"><span class="pill pill--review">Unconfirmed' in listing

    response = client.post(f"/admin/users/{waiting.id}/confirmation", follow_redirects=True)
    assert "A new confirmation link is on its way" in response.get_data(as_text=True)
    worker_pass()
    assert "/confirm/" in body_of(mailbox.wait_for("waiting@example.com"))

    client.post(f"/admin/users/{waiting.id}/confirm")
    db.session.refresh(waiting)
    assert waiting.email_confirmed
    page = client.get(f"/admin/users/{waiting.id}").get_data(as_text=True)
    assert "Unconfirmed" not in page and "Resend confirmation" not in page
    response = client.post(f"/admin/users/{waiting.id}/confirmation", follow_redirects=True)
    assert "needs no confirmation" in response.get_data(as_text=True)
