"""The kinds of post members may flag. Features register theirs (support: questions, answers,
comments; ideas: ideas and their comments), so moderation never imports a feature."""

from collections.abc import Callable
from dataclasses import dataclass

from portal.extensions import db
from portal.writes import Refused


@dataclass(frozen=True)
class FlaggableKind:
    name: str  # "answer": what flags and review items store
    label: str  # "answer": what people read
    model: type  # the post's model: id, author_id, review_state (see models.Reviewable)
    url: Callable[[object], str]  # where the post is seen
    title: Callable[[object], str]  # the question or idea it belongs to
    text: Callable[[object], str]  # its text, for the queue and the spam filter
    # Make the post withheld ("pending", "hidden") or live again (None), with the feature's
    # own bookkeeping: counters, search changes, acceptance. Flushes, never commits.
    set_review_state: Callable[[object, str | None], None]
    delete: Callable[[object, object], None]  # (post, moderator): the feature's delete
    # What a new post tells others when it first goes live (activity, notifications): at once
    # for most posts, on approval for a post held by screening. Flushes, never commits.
    announce: Callable[[object], None] | None = None
    edit_url: Callable[[object], str] | None = None  # where a moderator edits it, if anywhere
    is_deleted: Callable[[object], bool] = lambda post: getattr(post, "is_deleted", False)
    # Load many posts with what `url` and `title` read (a queue page in a fixed number of
    # statements); None: the posts alone.
    load_many: Callable[[list[int]], list] | None = None

    def posts(self, ids: list[int]) -> dict[int, object]:
        if self.load_many is not None:
            found = self.load_many(ids)
        else:
            found = db.session.scalars(db.select(self.model).where(self.model.id.in_(ids)))
        return {post.id: post for post in found}


KINDS: dict[str, FlaggableKind] = {}


def register(kind: FlaggableKind) -> None:
    KINDS[kind.name] = kind


def kind_of(name: str) -> FlaggableKind:
    try:
        return KINDS[name]
    except KeyError:
        raise Refused("Choose something to flag: a question, answer, comment or idea.") from None


def load_post(name: str, post_id) -> tuple[FlaggableKind, object]:
    kind = kind_of(name)
    post = db.session.get(kind.model, post_id)
    if post is None or kind.is_deleted(post):
        raise Refused(f"That {kind.label} no longer exists.")
    return kind, post
