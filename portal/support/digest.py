"""Support's sections of the digest (portal/mail/digests.py): the period's top questions, and
its unanswered questions in product areas where the member has answered before."""

from sqlalchemy import select

from portal.extensions import db
from portal.mail.digests import DigestItem, DigestSection, digest_section
from portal.support.links import question_path
from portal.support.models import Answer, Question

GATHERED = 50  # per section and period: enough for members who muted some of them


def _items(questions, detail) -> list[DigestItem]:
    return [
        DigestItem(
            title=question.title,
            path=question_path(question),
            detail=detail(question),
            area_id=question.product_area_id,
            tag_ids=tuple(tag.id for tag in question.tags),
            author_id=question.author_id,
        )
        for question in questions
    ]


def _answers(question: Question) -> str:
    count = question.answer_count
    solved = ", solved" if question.is_solved else ""
    return f"{count} {'answer' if count == 1 else 'answers'}{solved}"


def _top_questions(start, end) -> list[DigestItem]:
    questions = db.session.scalars(
        select(Question)
        .where(Question.live(), Question.created_at >= start, Question.created_at < end)
        .order_by(Question.score.desc(), Question.answer_count.desc(), Question.id.desc())
        .limit(GATHERED)
    )
    return _items(questions, _answers)


def _unanswered(start, end) -> list[DigestItem]:
    questions = db.session.scalars(
        select(Question)
        .where(
            Question.live(),
            Question.closed_at.is_(None),
            Question.answer_count == 0,
            Question.created_at >= start,
            Question.created_at < end,
        )
        .order_by(Question.created_at.desc(), Question.id.desc())
        .limit(GATHERED * 4)
    )
    return _items(questions, lambda question: "no answer yet")


def _answered_in(member_ids: list[int]) -> dict[int, set[int]]:
    """The product areas of the questions each member answered."""
    rows = db.session.execute(
        select(Answer.author_id, Question.product_area_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.author_id.in_(member_ids), Answer.live())
        .distinct()
    )
    areas: dict[int, set[int]] = {}
    for author_id, area_id in rows:
        areas.setdefault(author_id, set()).add(area_id)
    return areas


digest_section(DigestSection("questions", "Top questions", _top_questions))
digest_section(DigestSection("help", "You could help", _unanswered, areas_of=_answered_in))
