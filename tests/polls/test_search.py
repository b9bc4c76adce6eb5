"""Events and polls in search: listed under their own types, and only what everyone may see."""

from datetime import timedelta

import pytest

from portal.accounts.models import Role
from portal.clock import utcnow
from portal.events.services import save_event
from portal.extensions import db
from portal.polls.services import start_poll
from portal.search.index import searchers
from portal.search.indexer import apply_pending, rebuild
from tests.factories import make_question


@pytest.fixture(autouse=True)
def _close_searchers(app):
    yield
    searchers().close()


@pytest.fixture
def staff(make_user):
    return make_user(Role.STAFF)


def test_events_and_polls_are_found_under_their_types(client, staff):
    start = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    event = save_event(
        staff,
        None,
        kind="event",
        title="Kubernetes integration workshop",
        body="Hands on.",
        starts=start,
        ends=start + timedelta(hours=1),
        time_zone="UTC",
        location="Berlin",
        online_url=None,
        area_id=None,
        capacity=None,
    )
    poll = start_poll(
        staff,
        title="Which Kubernetes distribution do you run?",
        options=["OpenShift", "Rancher"],
        multiple=False,
        results_after="voted",
    )
    db.session.commit()
    apply_pending()
    page = client.get("/search?q=kubernetes").get_data(as_text=True)
    assert f'href="/events/{event.id}"' in page and f'href="/polls/{poll.id}"' in page
    assert '<option value="event"' in page and '<option value="poll"' in page
    only_polls = client.get("/search?q=kubernetes&type=poll").get_data(as_text=True)
    assert (
        f'href="/polls/{poll.id}"' in only_polls and f'href="/events/{event.id}"' not in only_polls
    )
    assert "Rancher" in client.get("/search?q=rancher").get_data(as_text=True)


def test_a_poll_under_a_post_is_not_indexed_apart_from_it(client, staff):
    question = make_question(title="How do I rotate the Kubernetes tokens?")
    poll = start_poll(
        staff,
        title="Kubernetes token rotation period?",
        options=["Daily", "Weekly"],
        multiple=False,
        results_after="voted",
        subject=("question", question.id),
    )
    db.session.commit()
    rebuild()
    page = client.get("/search?q=kubernetes").get_data(as_text=True)
    assert f'href="/questions/{question.id}' in page and f'href="/polls/{poll.id}"' not in page


def test_similar_items_stay_questions_and_ideas(client, staff):
    start_poll(
        staff,
        title="Which Kubernetes distribution do you run?",
        options=["OpenShift", "Rancher"],
        multiple=False,
        results_after="voted",
    )
    db.session.commit()
    apply_pending()
    found = client.get("/search/similar?q=Which+Kubernetes+distribution+do+you+run").get_json()
    assert all(hit["type"] in ("question", "idea") for hit in found)
