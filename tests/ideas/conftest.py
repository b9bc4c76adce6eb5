import pytest

from tests import factories


@pytest.fixture
def make_idea(app):
    return factories.make_idea
