"""Each indexing batch leaves a segment, which keeps its deleted documents until it is merged."""

import pytest

from portal.extensions import db
from portal.search.changes import record_search_change
from portal.search.documents import SOURCES
from portal.search.index import searchers
from portal.search.indexer import apply_pending
from portal.taxonomy.models import ProductArea
from tests.search import area_source
from tests.search.test_indexing import add_area


@pytest.fixture
def area_documents(app):
    SOURCES["area"] = area_source.AREA_SOURCE
    yield
    SOURCES.pop("area", None)
    searchers().close()


def index_in_batches(*batches: list[str]) -> None:
    """One indexing batch, so one segment, per list of area names."""
    for names in batches:
        for name in names:
            add_area(name, f"All about {name.lower()} and billing")
        db.session.commit()
        assert apply_pending().applied == len(names)


def delete_area(name: str) -> None:
    area = db.session.scalar(db.select(ProductArea).filter_by(name=name))
    db.session.delete(area)
    record_search_change("area", area.id)
    db.session.commit()
    apply_pending()


def test_a_segment_of_deleted_documents_is_sound(runner, area_documents):
    """Whoosh keeps a deleted document's postings until its segment is merged: a term whose
    every document is deleted is not damage."""
    index_in_batches(["Billing"], ["Mobile"])
    delete_area("Billing")
    status = runner.invoke(args=["search", "status"])
    assert status.exit_code == 0 and "State:            sound" in status.output, status.output
    assert "Documents:        1" in status.output
