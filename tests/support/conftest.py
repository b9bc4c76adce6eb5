import pytest

from tests import factories


@pytest.fixture
def make_question(app):
    return factories.make_question


@pytest.fixture
def make_answer(app):
    return factories.make_answer
