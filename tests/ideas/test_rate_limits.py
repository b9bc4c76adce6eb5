import pytest

from tests.conftest import login
from tests.ideas.helpers import fresh


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


def test_posting_comments_is_rate_limited(client, make_user, make_idea):
    idea = make_idea()
    login(client, make_user())
    statuses = [
        client.post(f"/ideas/{idea.id}/comments", data={"comment-body": f"Comment {n}"}).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429
    assert fresh(idea.id).comment_count == 20


def test_suggesting_ideas_is_rate_limited(client, make_user):
    login(client, make_user())
    statuses = [
        client.post("/ideas/new", data={"title": f"Rate limited idea {n:02d}"}).status_code
        for n in range(21)
    ]
    assert statuses[-1] == 429 and statuses[:20] == [302] * 20
