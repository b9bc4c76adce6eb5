import pytest

from portal.search.documents import SOURCES
from portal.search.index import searchers
from tests.search import area_source


@pytest.fixture
def area_documents(app):
    """Product areas as search documents, for tests of the indexing machinery itself."""
    SOURCES["area"] = area_source.AREA_SOURCE
    yield
    SOURCES.pop("area", None)
    searchers().close()
