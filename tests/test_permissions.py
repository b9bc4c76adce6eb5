"""The permission matrix: every state-changing (and every restricted) endpoint against every role.

Each Case names a request and the status each kind of person gets. `author` is the person who owns
the world's objects (a member). Later features add their objects to `World` and their cases to
CASES. Anonymous visitors are sent to log in (302) wherever a login would help.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from portal.extensions import db
from portal.notifications.services import notify
from tests.conftest import login

PEOPLE = ["anonymous", "member", "author", "suspended", "staff", "product", "admin"]


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)


def everyone(status: int, **overrides: int) -> dict[str, int]:
    return {person: overrides.get(person, status) for person in PEOPLE}


def signed_in(status: int, **overrides: int) -> dict[str, int]:
    return everyone(status, **{"anonymous": 302, **overrides})


ADMIN_ONLY = signed_in(403, admin=200)
TEAM_INSIGHTS = signed_in(403, staff=200, product=200, admin=200)
ADMIN_ONLY_WRITE = signed_in(403, admin=302)


@dataclass
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    expect: dict[str, int]
    data: Callable[[World], dict] = lambda world: {}
    # A 302 for an anonymous visitor means "log in first", unless the endpoint redirects everyone.
    anonymous_goes_to_login: bool = True


CASES = [
    Case("home", "GET", lambda w: "/", everyone(200)),
    Case("guidelines", "GET", lambda w: "/guidelines", everyone(200)),
    Case("register form", "GET", lambda w: "/register", everyone(302, anonymous=200)),
    Case("check your inbox", "GET", lambda w: "/register/check-email", everyone(200)),
    Case("forgot password form", "GET", lambda w: "/password/forgot", everyone(200)),
    Case(
        "ask for a reset link",
        "POST",
        lambda w: "/password/forgot",
        everyone(200),
        data=lambda w: {"email": "someone@example.com"},
    ),
    Case(
        "confirm with a bad token",
        "GET",
        lambda w: "/confirm/forged",
        everyone(302),
        anonymous_goes_to_login=False,
    ),
    Case(
        "reset with a bad token",
        "GET",
        lambda w: "/password/reset/forged",
        everyone(302),
        anonymous_goes_to_login=False,
    ),
    Case("profile", "GET", lambda w: f"/users/{w.users['author'].id}", everyone(200)),
    Case("settings", "GET", lambda w: "/settings", signed_in(200)),
    Case("notifications", "GET", lambda w: "/notifications", signed_in(200)),
    Case("mark all notifications read", "POST", lambda w: "/notifications/read", signed_in(302)),
    Case(
        "open the author's notification",
        "POST",
        lambda w: f"/notifications/{w.ids['notification']}/open",
        signed_in(404, author=302),
    ),
    Case(
        "markdown preview",
        "POST",
        lambda w: "/markdown/preview",
        signed_in(200, suspended=403, anonymous=403),
        data=lambda w: {"text": "**hi**"},
    ),
    Case("search", "GET", lambda w: "/search?q=billing", everyone(200)),
    Case("similar items", "GET", lambda w: "/search/similar?q=billing", everyone(200)),
    Case("insights dashboard", "GET", lambda w: "/insights", TEAM_INSIGHTS),
    Case("insights CSV", "GET", lambda w: "/insights/data/activity.csv", TEAM_INSIGHTS),
    Case("feedback report", "GET", lambda w: "/insights/report?format=md", TEAM_INSIGHTS),
    Case("plotly.js", "GET", lambda w: "/insights/plotly.min.js", TEAM_INSIGHTS),
    Case("logout", "POST", lambda w: "/logout", everyone(302), anonymous_goes_to_login=False),
    Case("admin: people", "GET", lambda w: "/admin/users", ADMIN_ONLY),
    Case("admin: person", "GET", lambda w: f"/admin/users/{w.users['author'].id}", ADMIN_ONLY),
    Case(
        "admin: change role",
        "POST",
        lambda w: f"/admin/users/{w.users['author'].id}/role",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"role-role": "member"},
    ),
    Case(
        "admin: suspend",
        "POST",
        lambda w: f"/admin/users/{w.users['author'].id}/suspend",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"suspend-reason": "testing"},
    ),
    Case(
        "admin: unsuspend",
        "POST",
        lambda w: f"/admin/users/{w.users['suspended'].id}/unsuspend",
        ADMIN_ONLY_WRITE,
    ),
    Case("admin: product areas", "GET", lambda w: "/admin/areas", ADMIN_ONLY),
    Case(
        "admin: add product area",
        "POST",
        lambda w: "/admin/areas",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"name": "New area"},
    ),
    Case("admin: plans", "GET", lambda w: "/admin/plans", ADMIN_ONLY),
    Case(
        "admin: add plan",
        "POST",
        lambda w: "/admin/plans",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"name": "Gold", "weight": "2"},
    ),
    Case("admin: brand", "GET", lambda w: "/admin/brand", ADMIN_ONLY),
    Case(
        "admin: save brand",
        "POST",
        lambda w: "/admin/brand",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"community_name": "X", "tagline": "", "primary_color": "#2457c5"},
    ),
    Case("admin: remove logo", "POST", lambda w: "/admin/brand/logo/remove", ADMIN_ONLY_WRITE),
    Case("admin: guidelines", "GET", lambda w: "/admin/guidelines", ADMIN_ONLY),
    Case(
        "admin: publish guidelines",
        "POST",
        lambda w: "/admin/guidelines",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"guidelines": "Be kind."},
    ),
]


@pytest.fixture
def world(app, make_user) -> World:
    world = World()
    for person in PEOPLE[1:]:
        role = person if person in {"staff", "product", "admin"} else "member"
        world.users[person] = make_user(role, suspended=person == "suspended")
    notify([world.users["author"].id], kind="test", title="For the author", url="/")
    db.session.commit()
    from portal.notifications.models import Notification

    world.ids["notification"] = db.session.execute(db.select(Notification.id)).scalar_one()
    return world


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_permission_matrix(app, world, case, person):
    client = app.test_client()
    if person != "anonymous":
        login(client, world.users[person])
    response = client.open(case.url(world), method=case.method, data=case.data(world))
    assert response.status_code == case.expect[person], (
        f"{person} → {case.method} {case.url(world)}: got {response.status_code}, "
        f"expected {case.expect[person]}"
    )
    if person == "anonymous" and response.status_code == 302 and case.anonymous_goes_to_login:
        assert response.location.startswith("/login")
