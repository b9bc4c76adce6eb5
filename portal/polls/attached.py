"""Polls under a post: a box on the post's page with each poll's question, how many voted
and a link to vote or see the results (the same for every viewer: see portal/attachments)."""

from dataclasses import dataclass

from portal.attachments import Attachment, attachment_loader
from portal.polls.models import SUBJECT_KINDS, Poll
from portal.polls.queries import polls_on, voter_counts


@dataclass(frozen=True)
class AttachedPoll:
    poll: Poll
    voters: int


@attachment_loader
def polls_under(kind: str, post_id: int) -> Attachment | None:
    if kind not in SUBJECT_KINDS:
        return None
    polls = polls_on(kind, post_id)
    counts = voter_counts([poll.id for poll in polls])
    return Attachment(
        template="polls/_attached.html",
        items=[AttachedPoll(poll, counts.get(poll.id, 0)) for poll in polls],
    )
