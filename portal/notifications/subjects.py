"""What a notification is about (a question, an answer, an idea...), so that what goes out
later, by mail or in a digest, can ask whether its member may still see it: a post hidden,
deleted or held for review after the notification was written never reaches someone who may
not see it. Features register their kinds; the notifications never import a feature.

Moderation's notices to an author about their own post name no subject: the author hears
that it was hidden or deleted even though it is gone."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from portal.accounts.models import User


@dataclass(frozen=True)
class Subject:
    # ids -> the posts still there, with what `may_see` reads loaded (a fixed number of
    # statements for a batch of any size)
    load: Callable[[list[int]], dict[int, object]]
    may_see: Callable[[object, User], bool]  # (post, member): as on the post's own page


SUBJECTS: dict[str, Subject] = {}


def register_subject(name: str, subject: Subject) -> None:
    SUBJECTS[name] = subject


def still_visible(items: Iterable[tuple[str | None, int | None, User]]) -> list[bool]:
    """For each (subject kind, subject id, member): whether the member may see it now. No
    subject: nothing to hide (a promotion). An unknown kind or a vanished post: no."""
    items = list(items)
    wanted: dict[str, set[int]] = {}
    for kind, subject_id, _user in items:
        if kind is not None:
            wanted.setdefault(kind, set()).add(subject_id)
    posts = {
        kind: SUBJECTS[kind].load(sorted(ids)) for kind, ids in wanted.items() if kind in SUBJECTS
    }
    seen = []
    for kind, subject_id, user in items:
        if kind is None:
            seen.append(True)
            continue
        post = posts.get(kind, {}).get(subject_id)
        seen.append(post is not None and SUBJECTS[kind].may_see(post, user))
    return seen
