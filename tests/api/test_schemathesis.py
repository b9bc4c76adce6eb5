"""Schemathesis against the API's own OpenAPI document: generated calls, valid and not, as a
member of the team with a write token; no answer may be a 500 or stray from the document.
A short run here (PORTAL_API_FUZZ_EXAMPLES per call); `make api-fuzz` runs a long one.

Schemathesis's pytest plugin does not run under this pytest, so each call's cases are drawn
from its Hypothesis strategy directly. Left out: "a request the document allows is accepted":
the rules of the pages (words in a title, a product area that exists, one vote per person)
are more than a JSON Schema can say, and a refusal of those is a 409 or 422 problem."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

import portal.api  # noqa: F401  (declares the operations)
from portal.accounts.models import Role
from portal.api.operations import OPERATIONS
from tests import factories
from tests.api import bearer

EXAMPLES = int(os.environ.get("PORTAL_API_FUZZ_EXAMPLES", "8"))


@pytest.fixture
def seeded(app):
    area = factories.make_area("Billing", slug="billing")
    question = factories.make_question(area=area, tags=["invoices"])
    factories.make_answer(question)
    factories.make_idea(area=area)


@pytest.mark.parametrize(
    ("method", "path"), [(op.method, op.path) for op in OPERATIONS], ids=lambda v: v
)
def test_every_call_keeps_to_the_document(app, seeded, method, path):
    headers = bearer(factories.make_user(Role.STAFF), "read", "write")
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    call()
