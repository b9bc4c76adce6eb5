"""Writing polls and ballots. Ballots on one poll take turns, so a member's ballot is replaced
whole and every answer is counted once, however many vote at once."""

from sqlalchemy import delete, insert

from portal.accounts.permissions import Permission, can
from portal.activity import record_event
from portal.clock import utcnow
from portal.database import take_turns
from portal.events.services import to_utc, zone_named
from portal.extensions import db
from portal.notifications.subjects import still_visible
from portal.polls.models import RESULTS_AFTER, SUBJECT_KINDS, Poll, PollOption, PollVote
from portal.search.changes import record_search_change
from portal.writes import Refused

MIN_OPTIONS, MAX_OPTIONS = 2, 10
OPTION_CHARS, TITLE_CHARS = 120, 200


def check_options(lines: list[str]) -> list[str]:
    labels = [" ".join(line.split()) for line in lines]
    labels = [label for label in labels if label]
    if len(labels) < MIN_OPTIONS:
        raise Refused("Give at least two answers to choose from, one per line.", field="options")
    if len(labels) > MAX_OPTIONS:
        raise Refused(f"Give at most {MAX_OPTIONS} answers.", field="options")
    if any(len(label) > OPTION_CHARS for label in labels):
        raise Refused(f"Keep each answer under {OPTION_CHARS} characters.", field="options")
    if len({label.casefold() for label in labels}) < len(labels):
        raise Refused("Each answer must differ from the others.", field="options")
    return labels


def start_poll(
    author,
    *,
    title: str,
    options: list[str],
    multiple: bool,
    results_after: str,
    closes=None,
    time_zone: str = "UTC",
    closes_at=None,
    subject: tuple[str, int] | None = None,
) -> Poll:
    """A poll on its own or under a post the author may see. It closes at `closes`, a
    wall-clock time in `time_zone` (a form's), or at `closes_at` (naive UTC), or when the team
    closes it."""
    if not can(author, Permission.RUN_POLLS):
        raise Refused("Only the team can start polls.")
    title = " ".join(title.split())
    if not title or len(title) > TITLE_CHARS:
        raise Refused(f"Ask the poll's question in 1 to {TITLE_CHARS} characters.", field="title")
    labels = check_options(options)
    if results_after not in RESULTS_AFTER:
        raise Refused("Choose when the results show.", field="results_after")
    if closes is not None:
        closes_at = to_utc(closes, zone_named(time_zone), "closes")
    if closes_at is not None and closes_at <= utcnow():
        raise Refused("The closing time has passed: choose a later one.", field="closes")
    if subject is not None:
        kind, subject_id = subject
        if kind not in SUBJECT_KINDS or not still_visible([(kind, subject_id, author)])[0]:
            raise Refused("The post for this poll does not exist.")
    poll = Poll(
        title=title,
        multiple=multiple,
        results_after=results_after,
        closes_at=closes_at,
        subject_type=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        author=author,
        options=[PollOption(label=label, position=n) for n, label in enumerate(labels)],
    )
    db.session.add(poll)
    db.session.flush()
    record_search_change("poll", poll.id)
    record_event("poll.started", actor=author, subject=poll, on=poll.subject_type)
    return poll


def _take_open(poll: Poll, closed: str) -> None:
    """Take the poll's turn (ballots and the close go one at a time), read it again, and
    refuse with `closed` if it has closed meanwhile."""
    take_turns(f"poll-{poll.id}")
    db.session.refresh(poll)
    if poll.is_closed():
        raise Refused(closed)


def _open_for(user, poll: Poll) -> None:
    """Take the poll's turn and check that `user` may still change a ballot on it."""
    if not can(user, Permission.VOTE):
        raise Refused("Your account cannot vote now.")
    _take_open(poll, "This poll has closed.")
    if poll.subject_type and not still_visible([(poll.subject_type, poll.subject_id, user)])[0]:
        raise Refused("This poll is not open to you.")


def cast_ballot(user, poll: Poll, option_ids: list[int]) -> set[int]:
    """`user`'s ballot on `poll`, replacing any earlier one: one answer, or several on a poll
    that takes several."""
    _open_for(user, poll)
    chosen = set(option_ids)
    if not chosen:
        raise Refused("Choose an answer.", field="choice")
    if not chosen <= {option.id for option in poll.options}:
        raise Refused("Choose from this poll's answers.", field="choice")
    if len(chosen) > 1 and not poll.multiple:
        raise Refused("Choose one answer.", field="choice")
    had = _remove_ballot(user, poll)
    db.session.execute(
        insert(PollVote),
        [{"poll_id": poll.id, "option_id": option, "user_id": user.id} for option in chosen],
    )
    # The log says that a member voted, never what: ballots are not public.
    record_event("poll.ballot_changed" if had else "poll.voted", actor=user, subject=poll)
    return chosen


def withdraw_ballot(user, poll: Poll) -> None:
    _open_for(user, poll)
    if not _remove_ballot(user, poll):
        raise Refused("You have not voted in this poll.")
    record_event("poll.ballot_withdrawn", actor=user, subject=poll)


def _remove_ballot(user, poll: Poll) -> bool:
    removed = db.session.execute(
        delete(PollVote)
        .where(PollVote.poll_id == poll.id, PollVote.user_id == user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    return removed > 0


def close_poll(user, poll: Poll) -> None:
    if not can(user, Permission.RUN_POLLS):
        raise Refused("Only the team can close polls.")
    _take_open(poll, "This poll has already closed.")
    poll.closes_at = utcnow()
    record_event("poll.closed", actor=user, subject=poll)
