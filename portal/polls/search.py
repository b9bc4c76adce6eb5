"""Search documents for polls: the question and its answers. Only polls on their own or under
an event are indexed: the index is shared by everyone, and a poll under a question, an idea or
an announcement is found through its post, whose visibility may change without the poll."""

from sqlalchemy import distinct, func

from portal.extensions import db
from portal.polls.models import Poll, PollOption, PollVote
from portal.search.documents import (
    DocumentSource,
    documents_in_order,
    id_batches,
    newest_titled,
    register_source,
    url_builder,
)

INDEXED = (Poll.subject_type.is_(None)) | (Poll.subject_type == "event")


def poll_documents(ids: list[int]) -> dict[int, dict | None]:
    rows = list(db.session.execute(db.select(Poll).where(Poll.id.in_(ids), INDEXED)).scalars())
    options: dict[int, list[str]] = {}
    for poll_id, label in db.session.execute(
        db.select(PollOption.poll_id, PollOption.label)
        .where(PollOption.poll_id.in_([poll.id for poll in rows]))
        .order_by(PollOption.poll_id, PollOption.position)
    ):
        options.setdefault(poll_id, []).append(label)
    voters = dict(
        db.session.execute(
            db.select(PollVote.poll_id, func.count(distinct(PollVote.user_id)))
            .where(PollVote.poll_id.in_([poll.id for poll in rows]))
            .group_by(PollVote.poll_id)
        ).all()
    )
    build = url_builder()

    def document(poll: Poll) -> dict:
        return {
            "title": poll.title,
            "body": "Poll. " + " · ".join(options.get(poll.id, [])),
            "solved": False,
            "created": poll.created_at,
            "votes": voters.get(poll.id, 0),
            "url": build("polls.poll", {"poll_id": poll.id}),
        }

    return documents_in_order(ids, rows, document)


def count_polls() -> int:
    return db.session.execute(db.select(db.func.count(Poll.id)).where(INDEXED)).scalar_one()


register_source(
    DocumentSource(
        "poll",
        poll_documents,
        lambda batch: id_batches(Poll.id, batch, INDEXED),
        count_polls,
        titles_like=lambda words, limit: newest_titled(Poll.id, Poll.title, words, limit, INDEXED),
    ),
    listed="Polls",
)
