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
ADMIN_ONLY_WRITE = signed_in(403, admin=302)
IDEA_TEAM_WRITE = signed_in(403, staff=302, product=302, admin=302)
CONTRIBUTE_WRITE = signed_in(302, suspended=403)


@dataclass
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    expect: dict[str, int]
    data: Callable[[World], dict] = lambda world: {}


CASES = [
    Case("home", "GET", lambda w: "/", everyone(200)),
    Case("guidelines", "GET", lambda w: "/guidelines", everyone(200)),
    Case("register form", "GET", lambda w: "/register", everyone(302, anonymous=200)),
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
    Case("logout", "POST", lambda w: "/logout", everyone(302)),
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
    Case("ideas: board", "GET", lambda w: "/ideas?sort=trending&status=all", everyone(200)),
    Case("ideas: roadmap", "GET", lambda w: "/roadmap", everyone(200)),
    Case("ideas: idea", "GET", lambda w: f"/ideas/{w.ids['idea']}", everyone(200)),
    Case("ideas: missing idea", "GET", lambda w: "/ideas/987654", everyone(404)),
    Case("ideas: new form", "GET", lambda w: "/ideas/new", signed_in(200, suspended=403)),
    Case(
        "ideas: suggest",
        "POST",
        lambda w: "/ideas/new",
        CONTRIBUTE_WRITE,
        data=lambda w: {"title": "A new idea from the matrix", "description": "", "area": ""},
    ),
    Case(
        "ideas: edit form",
        "GET",
        lambda w: f"/ideas/{w.ids['idea']}/edit",
        signed_in(403, author=200, staff=200, product=200, admin=200),
    ),
    Case(
        "ideas: edit",
        "POST",
        lambda w: f"/ideas/{w.ids['idea']}/edit",
        signed_in(403, author=302, staff=302, product=302, admin=302),
        data=lambda w: {"title": "An edited idea title", "description": "", "area": ""},
    ),
    Case("ideas: vote", "POST", lambda w: f"/ideas/{w.ids['idea']}/vote", CONTRIBUTE_WRITE),
    Case("ideas: follow", "POST", lambda w: f"/ideas/{w.ids['idea']}/follow", signed_in(302)),
    Case("ideas: unfollow", "POST", lambda w: f"/ideas/{w.ids['idea']}/unfollow", signed_in(302)),
    Case(
        "ideas: comment",
        "POST",
        lambda w: f"/ideas/{w.ids['idea']}/comments",
        CONTRIBUTE_WRITE,
        data=lambda w: {"comment-body": "A comment"},
    ),
    Case(
        "ideas: vote on behalf",
        "POST",
        lambda w: f"/ideas/{w.ids['idea']}/votes/behalf",
        IDEA_TEAM_WRITE,
        data=lambda w: {"behalf-customer": w.users["member"].email},
    ),
    Case(
        "ideas: mark official response",
        "POST",
        lambda w: f"/ideas/{w.ids['idea']}/comments/{w.ids['idea_comment']}/official",
        IDEA_TEAM_WRITE,
    ),
    Case(
        "ideas: change status",
        "POST",
        lambda w: f"/ideas/{w.ids['idea']}/status",
        IDEA_TEAM_WRITE,
        data=lambda w: {"status-status": "planned", "status-note": "Next quarter."},
    ),
    Case(
        "ideas: merge",
        "POST",
        lambda w: f"/ideas/{w.ids['idea']}/merge",
        IDEA_TEAM_WRITE,
        data=lambda w: {"merge-target": str(w.ids["other_idea"])},
    ),
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

    from portal.ideas.services import add_comment
    from tests.factories import make_idea

    idea = make_idea(world.users["author"], title="The author's idea")
    world.ids["idea"] = idea.id
    world.ids["other_idea"] = make_idea(world.users["staff"], title="Another idea").id
    world.ids["idea_comment"] = add_comment(idea, world.users["author"], "First!").id
    db.session.commit()
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
    if response.status_code == 302 and person == "anonymous" and case.expect[person] == 302:
        assert response.location.startswith("/login") or case.name == "logout"
