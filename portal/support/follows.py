"""What members may follow in support (portal/follows): product areas and tags (new questions
and ideas in them) and questions (new answers and comments)."""

from flask import url_for

from portal.extensions import db
from portal.follows.models import MUTED, NORMAL, WATCHING
from portal.follows.targets import Target, register_target
from portal.support.links import question_url
from portal.support.models import Question
from portal.support.queries import may_see
from portal.taxonomy.models import ProductArea, Tag

FOR_NEW_POSTS = {
    WATCHING: "Every new question and idea in it",
    NORMAL: "Only what is about your own posts",
    MUTED: "Nothing new from it, even when you watch one of its tags or areas",
}


def _area(area_id: int, _viewer):
    area = db.session.get(ProductArea, area_id)
    return (area.name, url_for("support.questions", area=area.slug)) if area else None


def _tag(tag_id: int, _viewer):
    tag = db.session.get(Tag, tag_id)
    return (tag.name, url_for("support.questions", tag=tag.name)) if tag else None


def _question(question_id: int, viewer):
    question = db.session.get(Question, question_id)
    if question is None or not may_see(question, viewer):
        return None
    return (f"“{question.title}”", question_url(question))


register_target("area", Target("product area", _area, FOR_NEW_POSTS))
register_target("tag", Target("tag", _tag, FOR_NEW_POSTS))
register_target(
    "question",
    Target(
        "question",
        _question,
        {
            WATCHING: "Every new answer and comment",
            NORMAL: "Answers and comments on your own posts",
            MUTED: "Nothing, not even answers and comments on your own posts",
        },
    ),
)
