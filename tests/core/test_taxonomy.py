import pytest

from portal.taxonomy.services import (
    get_or_create_tags,
    normalise_tag,
    parse_tags,
    save_area,
    suggest_tags,
)
from portal.writes import Refused


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dark Mode", "dark-mode"),
        ("  API_Keys ", "api-keys"),
        ("C++", "c++"),
        ("node.js", "node.js"),
        ("--weird!!--", "weird"),
        ("x" * 50, "x" * 35),
    ],
)
def test_normalise_tag(raw, expected):
    assert normalise_tag(raw) == expected


def test_parse_tags_dedupes_in_order():
    assert parse_tags("Billing, invoices billing  Refunds") == ["billing", "invoices", "refunds"]


def test_get_or_create_tags_reuses_existing(app):
    first = get_or_create_tags(["sync", "offline"])
    again = get_or_create_tags(["offline", "sync", "new-one"])
    assert {t.id for t in first} <= {t.id for t in again}
    assert suggest_tags("of") == ["offline"]


def test_a_name_and_a_slug_taken_by_two_other_areas_is_one_clear_refusal(app, make_area):
    billing = make_area("Billing", slug="billing")
    make_area("Mobile", slug="mobile")
    edited = make_area("Web", slug="web")
    with pytest.raises(Refused, match="already exists"):
        save_area(edited, name="Mobile", slug="billing", description="")
    assert save_area(billing, name="Billing", slug="billing", description="Invoices").id == (
        billing.id
    )
