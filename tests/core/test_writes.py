"""The one write path (portal.writes): committed on success; refused, nothing kept and the
reason where the person reads it."""

import click
import pytest
from flask import get_flashed_messages
from werkzeug.exceptions import HTTPException

from portal.admin.forms import ProductAreaForm
from portal.extensions import db
from portal.taxonomy.models import ProductArea
from portal.taxonomy.services import save_area
from portal.writes import REFUSED, Refused, write


def _area_then_refuse(name: str):
    save_area(None, name=name, slug=None, description="")
    raise Refused("No more areas today.", field="description", hint="later")


def _areas() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(db.select(ProductArea.name)))


def test_a_write_is_committed(app):
    with app.test_request_context("/", method="POST"):
        area = write(lambda: save_area(None, name="Billing", slug=None, description=""))
    assert area.name == "Billing"
    assert _areas() == ["Billing"]


def test_a_refusal_in_a_command_keeps_nothing_and_stops_with_the_reason(app):
    with app.app_context(), pytest.raises(click.ClickException, match="No more areas today"):
        write(lambda: _area_then_refuse("Billing"))
    with app.app_context():
        assert _areas() == []


def test_a_refused_action_goes_back_with_the_reason(app):
    with app.test_request_context("/", method="POST"):
        with pytest.raises(HTTPException) as stopped:
            write(lambda: _area_then_refuse("Billing"), back="/admin/areas")
        response = stopped.value.get_response()
        assert response.status_code == 302 and response.location == "/admin/areas"
        assert get_flashed_messages(with_categories=True) == [("error", "No more areas today.")]
        assert _areas() == []


def test_a_fetch_caller_gets_a_problem_body(app):
    with app.test_request_context("/", method="POST", headers={"Accept": "application/json"}):
        with pytest.raises(HTTPException) as stopped:
            write(lambda: _area_then_refuse("Billing"), back="/admin/areas")
        response = stopped.value.get_response()
        assert response.status_code == 409
        assert response.mimetype == "application/problem+json"
        assert response.get_json() == {
            "type": "about:blank",
            "title": "Conflict",
            "status": 409,
            "detail": "No more areas today.",
            "error": "No more areas today.",
            "hint": "later",
        }
        assert _areas() == []


def test_a_refused_form_shows_the_reason_on_its_field(app):
    with app.test_request_context("/", method="POST", data={"name": "Billing"}):
        form = ProductAreaForm(meta={"csrf": False})
        assert write(lambda: _area_then_refuse("Billing"), form=form, field="name") is REFUSED
        assert form.description.errors == ["No more areas today."]  # the error's own field
        assert not form.name.errors
        assert _areas() == []
