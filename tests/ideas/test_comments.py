from sqlalchemy import select

from portal.extensions import db
from portal.ideas.models import IdeaComment
from portal.ideas.services import add_comment, unfollow
from tests.conftest import login
from tests.ideas.helpers import fresh, notifications


def test_comment_in_markdown_notifies_author_and_followers(client, make_user, make_idea):
    author = make_user()
    idea = make_idea(author)
    commenter = make_user()
    login(client, commenter)
    response = client.post(
        f"/ideas/{idea.id}/comments",
        data={"comment-body": "Yes, *please*! <img src=x onerror=alert(1)>"},
    )
    assert response.status_code == 302
    comment = db.session.execute(select(IdeaComment)).scalar_one()
    assert response.location == f"/ideas/{idea.id}#comment-{comment.id}"
    assert "<em>please</em>" in comment.body_html and "<img" not in comment.body_html
    assert fresh(idea.id).comment_count == 1
    assert [n.user_id for n in notifications("idea.commented")] == [author.id]
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "<em>please</em>" in html and "1 comment<" in html


def test_an_empty_comment_is_refused_beside_the_field(client, make_user, make_idea):
    idea = make_idea()
    login(client, make_user())
    html = client.post(f"/ideas/{idea.id}/comments", data={"comment-body": "   "}).get_data(
        as_text=True
    )
    assert "Write something before posting." in html
    assert fresh(idea.id).comment_count == 0


def test_unfollowing_stops_comment_notifications_for_followers(app, make_user, make_idea):
    author, voter = make_user(), make_user()
    idea = make_idea(author)
    from portal.ideas.services import cast_vote

    cast_vote(fresh(idea.id), voter)
    unfollow(fresh(idea.id), voter)
    add_comment(fresh(idea.id), make_user(), "A thought")
    db.session.commit()
    assert [n.user_id for n in notifications("idea.commented")] == [author.id]


def test_product_marks_one_official_response_shown_first_with_role_badge(
    client, make_user, make_idea
):
    idea = make_idea()
    member, product = make_user(), make_user("product", display_name="Jordan Lee")
    first = add_comment(fresh(idea.id), member, "First comment from a customer")
    official = add_comment(fresh(idea.id), product, "We are looking into this for Q3.")
    db.session.commit()
    login(client, product)
    client.post(f"/ideas/{idea.id}/comments/{first.id}/official")
    client.post(f"/ideas/{idea.id}/comments/{official.id}/official")
    db.session.expire_all()
    assert [
        c.id for c in db.session.scalars(select(IdeaComment).where(IdeaComment.is_official))
    ] == [official.id]
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert (
        html.index("Official response")
        < html.index("We are looking into this")
        < html.index("First comment from a customer")
    )
    assert 'class="badge badge--product"' in html

    client.post(f"/ideas/{idea.id}/comments/{official.id}/official")
    db.session.expire_all()
    assert db.session.get(IdeaComment, official.id).is_official is False


def test_members_cannot_mark_official_responses(client, make_user, make_idea):
    author = make_user()
    idea = make_idea(author)
    comment = add_comment(fresh(idea.id), author, "My own comment")
    db.session.commit()
    login(client, author)
    assert client.post(f"/ideas/{idea.id}/comments/{comment.id}/official").status_code == 403
    other = make_idea()
    login(client, make_user("staff"))
    assert client.post(f"/ideas/{other.id}/comments/{comment.id}/official").status_code == 404
