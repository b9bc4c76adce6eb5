"""Search documents for questions (with their answers rolled up) and answers."""

from collections import defaultdict

from portal.extensions import db
from portal.markdown import html_to_text
from portal.search.documents import DocumentSource, path_for, register_source
from portal.support.models import Answer, Question


def _visible_answers(question_ids: list[int]) -> dict[int, list[Answer]]:
    answers = db.session.scalars(
        db.select(Answer)
        .where(Answer.question_id.in_(question_ids), Answer.deleted_at.is_(None))
        .order_by(Answer.is_accepted.desc(), Answer.id)
    )
    by_question: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_question[answer.question_id].append(answer)
    return by_question


def question_documents(ids: list[int]) -> dict[int, dict | None]:
    questions = {
        q.id: q for q in db.session.scalars(db.select(Question).where(Question.id.in_(ids)))
    }
    answers = _visible_answers(list(questions))
    documents: dict[int, dict | None] = {}
    for question_id in ids:
        question = questions.get(question_id)
        if question is None or question.is_deleted:
            documents[question_id] = None
            continue
        texts = [html_to_text(question.body_html)]
        texts += [html_to_text(a.body_html) for a in answers.get(question_id, [])]
        documents[question_id] = {
            "title": question.title,
            "body": "\n".join(texts),
            "tag": ",".join(tag.name for tag in question.tags),
            "area": question.product_area.slug,
            "status": "solved" if question.is_solved else "open",
            "solved": bool(question.is_solved),
            "created": question.created_at,
            "votes": question.display_score,
            "url": path_for("support.question", question_id=question.id, slug=question.slug),
        }
    return documents


def answer_documents(ids: list[int]) -> dict[int, dict | None]:
    answers = list(db.session.scalars(db.select(Answer).where(Answer.id.in_(ids))))
    question_ids = {answer.question_id for answer in answers}
    questions = {
        q.id: q
        for q in db.session.scalars(db.select(Question).where(Question.id.in_(question_ids)))
    }
    found = {answer.id: (answer, questions[answer.question_id]) for answer in answers}
    documents: dict[int, dict | None] = {}
    for answer_id in ids:
        pair = found.get(answer_id)
        if pair is None or pair[0].is_deleted or pair[1].is_deleted:
            documents[answer_id] = None
            continue
        answer, question = pair
        documents[answer_id] = {
            "parent_id": question.id,
            "title": question.title,
            "body": html_to_text(answer.body_html),
            "area": question.product_area.slug,
            "solved": answer.is_accepted,
            "status": "accepted" if answer.is_accepted else "answer",
            "created": answer.created_at,
            "votes": answer.display_score,
            "url": path_for("support.question", question_id=question.id, slug=question.slug)
            + f"#answer-{answer.id}",
        }
    return documents


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
                    .where(model.id > last, model.deleted_at.is_(None))
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
            db.select(db.func.count(model.id)).where(model.deleted_at.is_(None))
        ).scalar_one()

    return count


register_source(
    DocumentSource("question", question_documents, _ids_of(Question), _count_of(Question))
)
register_source(
    DocumentSource(
        "answer", answer_documents, _ids_of(Answer), _count_of(Answer), parents=answer_parents
    )
)
