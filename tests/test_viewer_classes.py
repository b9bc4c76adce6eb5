"""Kept pages by viewer class (portal.caching): people with different rights who look at the
same page in turn each see their own controls, on every page family that is kept."""

import itertools
import re

import pytest
from flask import render_template_string

from portal.accounts.permissions import Permission
from portal.caching import kept_page, kept_part
from portal.caching.pages import UndeclaredPermission
from portal.extensions import db
from tests import factories
from tests.conftest import login

VIEWERS = ("anonymous", "member", "suspended", "staff", "product", "admin")
ASKS_TWO = "{{ can(current_user, Permission.VOTE) }} {{ can(current_user, Permission.MODERATE) }}"
PAGES = {
    "home": lambda world: "/",
    "question list": lambda world: "/questions",
    "question": lambda world: f"/questions/{world['question']}",
    "idea board": lambda world: "/ideas",
    "roadmap": lambda world: "/roadmap",
    "idea": lambda world: f"/ideas/{world['idea']}",
}


@pytest.fixture
def app_config():
    return {"PAGE_CACHE": True}


@pytest.fixture
def world(app):
    asker = factories.make_user(display_name="Asker")
    question = factories.make_question(asker, title="Rear hub clicks when coasting")
    factories.make_answer(question, factories.make_user(display_name="Helper"))
    idea = factories.make_idea(asker, title="Show hub service intervals")
    viewers = {
        "member": factories.make_user(),
        "suspended": factories.make_user(suspended=True),
        "staff": factories.make_user("staff"),
        "product": factories.make_user("product"),
        "admin": factories.make_user("admin"),
    }
    db.session.commit()
    clients = {"anonymous": app.test_client()}
    for name, user in viewers.items():
        clients[name] = app.test_client()
        login(clients[name], user)
    return {"question": question.id, "idea": idea.id, "clients": clients}


def _controls(page: str) -> set[str]:
    """What a viewer may do on the page: form actions, links and button labels (without
    tokens, which differ by session)."""
    actions = {f"form {a}" for a in re.findall(r'<form[^>]*action="([^"]+)"', page)}
    links = {f"link {href}" for href in re.findall(r'<a [^>]*href="(/[^"#?]*)', page)}
    buttons = {
        f"button {' '.join(text.split())}"
        for text in re.findall(r"<button[^>]*>([^<]*)</button>", page)
    }
    return actions | links | buttons


def _forget_kept(app) -> None:
    for store in ("portal_page_cache", "portal_shared_parts"):
        app.extensions.pop(store, None)


@pytest.mark.parametrize("page", PAGES)
def test_viewers_in_turn_see_their_own_controls(app, world, page):
    url = PAGES[page](world)
    clients = world["clients"]
    alone = {}
    for viewer in VIEWERS:
        _forget_kept(app)
        response = clients[viewer].get(url)
        assert response.status_code == 200, (viewer, response.status_code)
        alone[viewer] = _controls(response.get_data(as_text=True))
    assert len({frozenset(controls) for controls in alone.values()}) > 1  # rights show

    for first, then in itertools.permutations(VIEWERS, 2):
        _forget_kept(app)
        clients[first].get(url)
        seen = _controls(clients[then].get(url).get_data(as_text=True))
        assert seen == alone[then], f"{then} after {first}: {seen ^ alone[then]}"


def test_kept_content_may_ask_only_what_its_page_varies_on(app):
    """A rule a page did not declare would let one viewer's controls reach another."""

    @kept_page(Permission.VOTE)
    def page():
        return kept_part(lambda: render_template_string(ASKS_TWO))

    with app.test_request_context("/somewhere"), pytest.raises(UndeclaredPermission) as refused:
        page()
    assert "moderate" in str(refused.value)

    @kept_page(Permission.VOTE, Permission.MODERATE)
    def declared():
        return kept_part(lambda: render_template_string(ASKS_TWO))

    with app.test_request_context("/elsewhere"):
        assert declared() == b"False False"
