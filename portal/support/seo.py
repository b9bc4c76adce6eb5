"""schema.org QAPage data for a question page, so web searches land on the solved answer."""

from portal.markdown import html_to_text
from portal.support.links import question_url


def _person(user) -> dict:
    return {"@type": "Person", "name": user.display_name if user else "A former member"}


def _iso(moment) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def _answer(answer, question_address: str) -> dict:
    return {
        "@type": "Answer",
        "text": html_to_text(answer.body_html),
        "dateCreated": _iso(answer.created_at),
        "upvoteCount": answer.display_score,
        "url": f"{question_address}#answer-{answer.id}",
        "author": _person(answer.author),
    }


def qa_page(page) -> dict:
    question = page.question
    visible = [a for a in page.answers if not a.is_deleted and not a.is_withheld]
    address = question_url(question, public=True)
    entity = {
        "@type": "Question",
        "name": question.title,
        "text": html_to_text(question.body_html),
        "answerCount": len(visible),
        "upvoteCount": question.display_score,
        "dateCreated": _iso(question.created_at),
        "url": address,
        "author": _person(question.author),
    }
    if page.accepted is not None:
        entity["acceptedAnswer"] = _answer(page.accepted, address)
    suggested = [_answer(a, address) for a in visible if not a.is_accepted]
    if suggested:
        entity["suggestedAnswer"] = suggested
    return {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": entity}
