"""Search documents for polls: the question and its answers. Only polls on their own or under
an event are indexed: the index is shared by everyone, and a poll under a question, an idea or
an announcement is found through its post, whose visibility may change without the poll."""

from sqlalchemy import distinct, func

from portal.extensions import db
from portal.polls.models import Poll, PollOption, PollVote
from portal.search.documents import (
    DocumentSource,
    documents_in_order,
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


def all_poll_ids(batch: int):
    last = 0
    while True:
        query = db.select(Poll.id).where(Poll.id > last, INDEXED).order_by(Poll.id).limit(batch)
        ids = list(db.session.scalars(query))
        if not ids:
            return
        yield ids
        last = ids[-1]


def count_polls() -> int:
    return db.session.execute(db.select(db.func.count(Poll.id)).where(INDEXED)).scalar_one()


def polls_titled_like(words: list[str], limit: int) -> list[int]:
    return list(
        db.session.scalars(
            db.select(Poll.id)
            .where(INDEXED, *(Poll.title.icontains(word, autoescape=True) for word in words))
            .order_by(Poll.id.desc())
            .limit(limit)
        )
    )


register_source(
    DocumentSource(
        "poll", poll_documents, all_poll_ids, count_polls, titles_like=polls_titled_like
    ),
    listed="Polls",
)
