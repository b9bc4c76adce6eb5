"""Search documents for questions (with their answers rolled up) and answers.

Rows are read as plain columns, a few queries per batch whatever its size (a rebuild reads
hundreds of thousands): no ORM objects, no per-document queries.
"""

from collections import defaultdict

from portal.extensions import db
from portal.markdown import html_to_text
from portal.search.documents import (
    DocumentSource,
    documents_in_order,
    register_source,
    url_builder,
)
from portal.support.models import Answer, Question, question_slug, question_tags
from portal.taxonomy.models import ProductArea, Tag


def _question_url(build, question_id: int, title: str) -> str:
    return build("support.question", {"question_id": question_id, "slug": question_slug(title)})


def _visible_answer_texts(question_ids: list[int]) -> dict[int, list[str]]:
    """Plain text of each question's visible answers, the accepted one first."""
    rows = db.session.execute(
        db.select(Answer.question_id, Answer.body_html)
        .where(Answer.question_id.in_(question_ids), Answer.live())
        .order_by(Answer.question_id, Answer.is_accepted.desc(), Answer.id)
    )
    by_question: dict[int, list[str]] = defaultdict(list)
    for question_id, body_html in rows:
        by_question[question_id].append(html_to_text(body_html))
    return by_question


def _tag_names(question_ids: list[int]) -> dict[int, list[str]]:
    rows = db.session.execute(
        db.select(question_tags.c.question_id, Tag.name)
        .join(Tag, Tag.id == question_tags.c.tag_id)
        .where(question_tags.c.question_id.in_(question_ids))
        .order_by(question_tags.c.question_id, Tag.name)
    )
    by_question: dict[int, list[str]] = defaultdict(list)
    for question_id, name in rows:
        by_question[question_id].append(name)
    return by_question


def _question_status(question) -> str:
    """What a search hit or a similar item says about a question: a duplicate or closed one
    first, since it takes no answers."""
    if question.duplicate_of_id is not None:
        return "duplicate"
    if question.closed_at is not None:
        return "closed"
    return "solved" if question.is_solved else "open"


def question_documents(ids: list[int]) -> dict[int, dict | None]:
    rows = db.session.execute(
        db.select(
            Question.id,
            Question.title,
            Question.body_html,
            Question.is_solved,
            Question.closed_at,
            Question.duplicate_of_id,
            Question.created_at,
            (Question.imported_score + Question.score).label("votes"),
            ProductArea.slug.label("area"),
        )
        .join(ProductArea, ProductArea.id == Question.product_area_id)
        .where(Question.id.in_(ids), Question.live())
    )
    questions = list(rows)
    question_ids = [question.id for question in questions]
    answers, tags = _visible_answer_texts(question_ids), _tag_names(question_ids)
    build = url_builder()

    def document(question) -> dict:
        own = html_to_text(question.body_html)
        return {
            "title": question.title,
            "body": "\n".join([own, *answers.get(question.id, [])]),
            "excerpt": own,  # the snippet and the sentence embedding read the question alone
            "tag": ",".join(tags.get(question.id, [])),
            "area": question.area,
            "status": _question_status(question),
            "solved": bool(question.is_solved),
            "created": question.created_at,
            "votes": question.votes,
            "url": _question_url(build, question.id, question.title),
        }

    return documents_in_order(ids, questions, document)  # None: gone or deleted


def answer_documents(ids: list[int]) -> dict[int, dict | None]:
    rows = db.session.execute(
        db.select(
            Answer.id,
            Answer.body_html,
            Answer.is_accepted,
            Answer.created_at,
            (Answer.imported_score + Answer.score).label("votes"),
            Question.id.label("question_id"),
            Question.title,
            ProductArea.slug.label("area"),
        )
        .join(Question, Question.id == Answer.question_id)
        .join(ProductArea, ProductArea.id == Question.product_area_id)
        .where(Answer.id.in_(ids), Answer.live(), Question.live())
    )
    build = url_builder()

    def document(answer) -> dict:
        return {
            "parent_id": answer.question_id,
            "title": answer.title,
            "body": html_to_text(answer.body_html),
            "area": answer.area,
            "solved": bool(answer.is_accepted),
            "status": "accepted" if answer.is_accepted else "answer",
            "created": answer.created_at,
            "votes": answer.votes,
            "url": _question_url(build, answer.question_id, answer.title) + f"#answer-{answer.id}",
        }

    # None: gone, deleted, or its question deleted
    return documents_in_order(ids, rows, document)


def answer_parents(ids: list[int]) -> list[tuple[str, int]]:
    """An answer's text is part of its question's document: re-index the question too."""
    question_ids = db.session.scalars(
        db.select(Answer.question_id).where(Answer.id.in_(ids)).distinct()
    )
    return [("question", question_id) for question_id in question_ids]


def _ids_of(model):
    def all_ids(batch: int):
        last = 0
        while True:
            ids = list(
                db.session.scalars(
                    db.select(model.id)
                    .where(model.id > last, model.live())
                    .order_by(model.id)
                    .limit(batch)
                )
            )
            if not ids:
                return
            yield ids
            last = ids[-1]

    return all_ids


def _count_of(model):
    def count() -> int:
        return db.session.execute(
            db.select(db.func.count(model.id)).where(model.live())
        ).scalar_one()

    return count


def questions_titled_like(words: list[str], limit: int) -> list[int]:
    return list(
        db.session.scalars(
            db.select(Question.id)
            .where(Question.live())
            .where(*(Question.title.icontains(word, autoescape=True) for word in words))
            .order_by(Question.id.desc())
            .limit(limit)
        )
    )


register_source(
    DocumentSource(
        "question",
        question_documents,
        _ids_of(Question),
        _count_of(Question),
        titles_like=questions_titled_like,
    )
)
register_source(
    DocumentSource(
        "answer", answer_documents, _ids_of(Answer), _count_of(Answer), parents=answer_parents
    )
)
