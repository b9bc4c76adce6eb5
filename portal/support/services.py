"""Support Q&A rules: asking, answering, voting, accepting, commenting, editing, moderation.

Services flush and never commit. Every write records its activity event and, when searchable
text changes, a search change, in the caller's transaction. Counters and reputation change in
SQL (`n = n + :delta`), so concurrent requests never lose or double an update.
"""

from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.accounts.permissions import Permission, can
from portal.activity import record_event
from portal.clock import utcnow
from portal.database import insert_or_ignore, lock_for_write
from portal.extensions import db
from portal.follows.services import watching
from portal.markdown import excerpt, render_markdown
from portal.mentions import added_mentions, mention_links, mentioned_ids
from portal.moderation.screening import Screening, admit, log_edit, resubmit
from portal.notifications.services import audience, notify, notify_each, notify_later
from portal.search.changes import record_search_change
from portal.support.links import question_path
from portal.support.models import (
    Answer,
    Comment,
    Question,
    Revision,
    Vote,
    question_tags,
)
from portal.taxonomy.models import ProductArea
from portal.taxonomy.services import get_or_create_tags
from portal.writes import Refused

UP, DOWN, WITHDRAW = 1, -1, 0
REPUTATION_FOR_UPVOTE = {"question": 5, "answer": 10}
REPUTATION_FOR_DOWNVOTE = -2
REPUTATION_FOR_ACCEPTED_ANSWER = 15
REPUTATION_FOR_ACCEPTING = 2
MAX_TAGS = 5


def _kind(post) -> str:
    return "question" if isinstance(post, Question) else "answer"


def _question_of(post) -> Question:
    return post if isinstance(post, Question) else post.question


def _check_not_deleted(post) -> None:
    kind = _kind(post)
    if post.is_deleted:
        raise Refused(f"This {kind} was deleted, so it can’t be changed or voted on.")
    if kind == "answer" and post.question.is_deleted:
        raise Refused("This question was deleted, so its answers can’t be changed.")


def _add_reputation(user_id: int | None, delta: int) -> None:
    if user_id is None or delta == 0:
        return
    db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(reputation=User.reputation + delta)
        .execution_options(synchronize_session=False)
    )


def _bump(model, row_id: int, **deltas: int) -> None:
    """`UPDATE model SET col = col + delta ...` for each column (atomic under concurrency)."""
    values = {name: getattr(model, name) + delta for name, delta in deltas.items() if delta}
    if values:
        db.session.execute(
            update(model)
            .where(model.id == row_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _touch(question: Question) -> None:
    db.session.execute(
        update(Question)
        .where(Question.id == question.id)
        .values(last_activity_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _is_live(post) -> bool:
    return not post.is_deleted and post.review_state is None


def _recount_visibility(post, question: Question | None, was_live: bool) -> None:
    """After a post was deleted, restored, withheld or shown again: when it left or joined what
    everyone sees, its question's answer count (and, leaving, its acceptance) or its parent's
    comment count follows. A hidden answer deleted later leaves only once."""
    now_live = _is_live(post)
    if was_live == now_live:
        return
    delta = 1 if now_live else -1
    if isinstance(post, Answer):
        if not now_live and post.is_accepted:
            _clear_acceptance(question)
            record_search_change("question", question.id)
        _bump(Question, question.id, answer_count=delta)
    elif isinstance(post, Comment):
        if post.answer_id is not None:
            _bump(Answer, post.answer_id, comment_count=delta)
        else:
            _bump(Question, post.question_id, comment_count=delta)


# Asking and answering ------------------------------------------------------------------------


def ask_question(
    author: User,
    *,
    title: str,
    body: str,
    area: ProductArea,
    tags: list[str],
    form_token: str | None = None,
    screening: Screening | None = None,
) -> tuple[Question, bool]:
    """Create a question; returns (question, created).

    A form submitted twice carries the same one-time token: the second submission finds the
    question the first one made (created=False) instead of making another. With `screening`
    (a member's post, portal/moderation/screening.py) a held question waits for a moderator.
    """
    if len(tags) > MAX_TAGS:
        raise Refused(f"Use at most {MAX_TAGS} tags.")
    now = utcnow()
    values = {
        "author_id": author.id,
        "product_area_id": area.id,
        "title": title.strip(),
        "body": body,
        "body_html": render_markdown(body, mention_links(body)),
        "created_at": now,
        "last_activity_at": now,
        "form_token": form_token,
        "score": 0,
        "imported_score": 0,
        "answer_count": 0,
        "comment_count": 0,
        "view_count": 0,
        "review_state": screening.review_state if screening else None,
    }
    if form_token:
        inserted = insert_or_ignore(Question, values, index_elements=["form_token"])
        if inserted is None:
            existing = db.session.execute(
                db.select(Question).where(Question.form_token == form_token)
            ).scalar_one()
            if existing.author_id != author.id:
                raise Refused("This form was already used. Reload the page and try again.")
            return existing, False
        question_id = inserted.id
    else:
        question_id = db.session.execute(
            insert(Question).values(**values).returning(Question.id)
        ).scalar_one()
    question = db.session.get(Question, question_id)
    question.tags = get_or_create_tags(tags)
    db.session.flush()
    if screening is not None:
        admit(screening, "question", question)
        if screening.held:
            return question, True
    record_search_change("question", question.id)
    announce_question(question)
    return question, True


def announce_question(question: Question) -> None:
    """What a new question tells others when it goes live (on approval, if it was held)."""
    record_event(
        "question.asked",
        actor=question.author,
        subject=question,
        product_area_id=question.product_area_id,
        title=question.title,
    )
    where = question.product_area.name if question.product_area else "the community"
    notify(
        mentioned_ids(question.body),
        kind="mention.question",
        title=f"{question.author.display_name} mentioned you in “{question.title}”",
        url=question_path(question),
        actor=question.author,
        note=excerpt(question.body_html, 300),
        about=("question", question.id),
    )
    notify_later(
        "question_watchers",
        question.id,
        kind="watch.question",
        title=f"New question in {where}: “{question.title}”",
        url=question_path(question),
        actor=question.author,
        note=excerpt(question.body_html, 300),
        about=("question", question.id),
    )


@audience("question_watchers")
def _question_watchers(question_id: int):
    """Who watches the new question's product area or one of its tags (and muted none)."""
    area_id = db.session.scalar(select(Question.product_area_id).where(Question.id == question_id))
    tag_ids = db.session.scalars(
        select(question_tags.c.tag_id).where(question_tags.c.question_id == question_id)
    )
    return watching(("area", area_id), *(("tag", tag_id) for tag_id in tag_ids))


def check_can_answer(question: Question) -> None:
    _check_not_deleted(question)
    if question.is_closed:
        raise Refused("This question is closed, so it takes no new answers.")


def post_answer(
    question: Question, author: User, body: str, *, screening: Screening | None = None
) -> Answer:
    check_can_answer(question)
    answer = Answer(
        question=question,
        author_id=author.id,
        body=body,
        body_html=render_markdown(body, mention_links(body)),
        created_at=utcnow(),
        review_state=screening.review_state if screening else None,
    )
    db.session.add(answer)
    db.session.flush()
    if screening is not None:
        admit(screening, "answer", answer)
        if screening.held:
            return answer  # counted and announced when approved
    _bump(Question, question.id, answer_count=1)
    record_search_change("answer", answer.id)
    announce_answer(answer)
    return answer


def announce_answer(answer: Answer) -> None:
    """What a new answer tells others when it goes live (on approval, if it was held)."""
    question, author = answer.question, answer.author
    _touch(question)
    record_event(
        "answer.posted",
        actor=author,
        subject=answer,
        product_area_id=question.product_area_id,
        title=question.title,
        question_id=question.id,
    )
    mentioned = mentioned_ids(answer.body, but={question.author_id})
    notify_each(
        (
            [question.author_id],
            "answer.posted",
            f"{author.display_name} answered your question “{question.title}”",
        ),
        (
            mentioned,
            "mention.answer",
            f"{author.display_name} mentioned you in an answer to “{question.title}”",
        ),
        (
            _watchers(question, but={question.author_id, *mentioned}),
            "watch.answer",
            f"{author.display_name} answered “{question.title}”",
        ),
        url=question_path(question, f"answer-{answer.id}"),
        actor=author,
        note=excerpt(answer.body_html, 300),  # in the mail too: often the answer itself
        about=("answer", answer.id),
        unless_muted=("question", question.id),
    )


def _watchers(question: Question, *, but: set[int | None]):
    """Who watches the question, but those a notification of their own already told."""
    chosen = watching(("question", question.id))
    return chosen.where(chosen.selected_columns[0].not_in({i for i in but if i is not None}))


# Voting ----------------------------------------------------------------------------------------


def _reputation_for_vote(kind: str, value: int) -> int:
    if value == UP:
        return REPUTATION_FOR_UPVOTE[kind]
    if value == DOWN:
        return REPUTATION_FOR_DOWNVOTE
    return 0


@dataclass
class VoteResult:
    score: int  # the score to display (imported + votes)
    my_vote: int  # 1, -1 or 0
    message: str


def cast_vote(user: User, post, value: int) -> VoteResult:
    """Vote up (1), down (-1) or withdraw (0) on a question or an answer."""
    kind = _kind(post)
    if value not in (UP, DOWN, WITHDRAW):
        raise Refused("Choose to vote up or down.")
    if not can(user, Permission.VOTE_ON_POST, post):
        mine = post.author_id == user.id
        raise Refused(f"You can’t vote on your own {kind}." if mine else "Your account can’t vote.")
    _check_not_deleted(post)
    model = type(post)
    column = Vote.question_id if kind == "question" else Vote.answer_id
    existing = db.session.execute(
        db.select(Vote.id, Vote.value).where(Vote.user_id == user.id, column == post.id)
    ).first()
    old = existing.value if existing else WITHDRAW
    word = {UP: "upvoted", DOWN: "downvoted"}
    if value == old:
        if value == WITHDRAW:
            raise Refused(f"You haven’t voted on this {kind}, so there is nothing to undo.")
        raise Refused(
            f"You already {word[value]} this {kind}. Press the highlighted arrow again to "
            "withdraw your vote."
        )
    stale = Refused("Your vote changed in another window. Reload the page and try again.")
    if existing is None:
        inserted = insert_or_ignore(
            Vote,
            {"user_id": user.id, f"{kind}_id": post.id, "value": value, "created_at": utcnow()},
            index_elements=["user_id", f"{kind}_id"],
        )
        if inserted is None:
            raise Refused(f"You already voted on this {kind}.")
    elif value == WITHDRAW:
        result = db.session.execute(
            delete(Vote)
            .where(Vote.id == existing.id, Vote.value == old)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise stale
    else:
        result = db.session.execute(
            update(Vote)
            .where(Vote.id == existing.id, Vote.value == old)
            .values(value=value)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise stale
    _bump(model, post.id, score=value - old)
    _add_reputation(
        post.author_id, _reputation_for_vote(kind, value) - _reputation_for_vote(kind, old)
    )
    question = _question_of(post)
    record_event(
        "vote.cast" if value != WITHDRAW else "vote.withdrawn",
        actor=user,
        subject=post,
        product_area_id=question.product_area_id,
        title=question.title,
        value=value,
    )
    score = db.session.execute(
        db.select(model.imported_score + model.score).where(model.id == post.id)
    ).scalar_one()
    message = {UP: "Upvoted.", DOWN: "Downvoted.", WITHDRAW: "Vote withdrawn."}[value]
    return VoteResult(score=score, my_vote=value, message=message)


# Accepting -------------------------------------------------------------------------------------


def _acceptance_reputation(answer_author_id: int | None, accepter_id: int | None) -> dict:
    """Who gains what for one accepted answer (nothing for accepting your own answer)."""
    if answer_author_id is None or answer_author_id == accepter_id:
        return {}
    gains = {answer_author_id: REPUTATION_FOR_ACCEPTED_ANSWER}
    if accepter_id is not None:
        gains[accepter_id] = gains.get(accepter_id, 0) + REPUTATION_FOR_ACCEPTING
    return gains


def _clear_acceptance(question: Question) -> int | None:
    """Unmark the question's accepted answer (if any), taking back its reputation.

    The UPDATE only matches while the answer is still accepted, so two requests moving the
    acceptance at once cannot both take the reputation back.
    """
    current = db.session.execute(
        db.select(Answer.id, Answer.author_id, Answer.accepted_by_id).where(
            Answer.question_id == question.id, Answer.is_accepted
        )
    ).first()
    if current is None:
        return None
    result = db.session.execute(
        update(Answer)
        .where(Answer.id == current.id, Answer.is_accepted)
        .values(is_accepted=False, accepted_at=None, accepted_by_id=None)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        raise Refused(
            "The accepted answer changed at the same moment. Reload the page and try again."
        )
    for user_id, gain in _acceptance_reputation(current.author_id, current.accepted_by_id).items():
        _add_reputation(user_id, -gain)
    question.is_solved = False
    return current.id


def _lock_post(post) -> Question:
    """Lock the post's question, then the post if it is an answer, both read afresh
    (`lock_for_write`); returns the question.

    Acceptances, deletions and closings of one question then take turns, each seeing the one
    before it. Without the turns two acceptances each read "nothing accepted yet" and the
    second's write breaks the index that allows one accepted answer; on PostgreSQL two could
    also each hold a lock the other needs (the question row, that index), and one would end
    in a deadlock: so the question always comes first."""
    question_id = post.id if isinstance(post, Question) else post.question_id
    lock_for_write(Question, question_id)
    if isinstance(post, Answer):
        lock_for_write(Answer, post.id)
    return _question_of(post)


def accept_answer(answer: Answer, user: User) -> int | None:
    """Mark `answer` as the one that solved the question; returns the id of the one it replaced.

    Two people accepting different answers at once take turns: the second moves the acceptance
    to their answer, as accepting another answer always does."""
    if not can(user, Permission.ACCEPT_ANSWER, answer.question):
        raise Refused("Only the person who asked (or our support team) can accept an answer.")
    question = _lock_post(answer)
    _check_not_deleted(answer)
    if answer.is_accepted:
        raise Refused("This answer is already the accepted one.")
    replaced = _clear_acceptance(question)
    answer.is_accepted = True
    answer.accepted_at = utcnow()
    answer.accepted_by_id = user.id
    question.is_solved = True
    try:
        db.session.flush()  # the partial unique index refuses a concurrent second acceptance
    except IntegrityError as error:
        raise Refused(
            "Another answer was accepted at the same moment. Reload the page to see which."
        ) from error
    for user_id, gain in _acceptance_reputation(answer.author_id, user.id).items():
        _add_reputation(user_id, gain)
    _touch(question)
    record_event(
        "answer.accepted",
        actor=user,
        subject=answer,
        product_area_id=question.product_area_id,
        title=question.title,
        question_id=question.id,
        by_team=user.id != question.author_id,
    )
    record_search_change("question", question.id)
    notify(
        [answer.author_id],
        kind="answer.accepted",
        title=f"Your answer to “{question.title}” was accepted",
        url=question_path(question, f"answer-{answer.id}"),
        actor=user,
        about=("answer", answer.id),
    )
    return replaced


def unaccept_answer(answer: Answer, user: User) -> None:
    if not can(user, Permission.ACCEPT_ANSWER, answer.question):
        raise Refused(
            "Only the person who asked (or our support team) can change the accepted answer."
        )
    question = _lock_post(answer)
    if not answer.is_accepted:
        raise Refused("This answer is not the accepted one.")
    _clear_acceptance(question)
    record_event(
        "answer.unaccepted",
        actor=user,
        subject=answer,
        product_area_id=question.product_area_id,
        title=question.title,
        question_id=question.id,
    )
    record_search_change("question", question.id)


# Comments --------------------------------------------------------------------------------------


def add_comment(user: User, post, body: str, *, screening: Screening | None = None) -> Comment:
    _check_not_deleted(post)
    question = _question_of(post)
    comment = Comment(
        question_id=question.id,
        answer_id=post.id if isinstance(post, Answer) else None,
        author_id=user.id,
        body=" ".join(body.split()),
        created_at=utcnow(),
        review_state=screening.review_state if screening else None,
    )
    db.session.add(comment)
    db.session.flush()
    if screening is not None:
        admit(screening, "comment", comment)
        if screening.held:
            return comment  # counted and announced when approved
    _bump(type(post), post.id, comment_count=1)
    announce_comment(comment)
    return comment


def announce_comment(comment: Comment) -> None:
    """What a new comment tells others when it goes live (on approval, if it was held)."""
    question = db.session.get(Question, comment.question_id)
    post = db.session.get(Answer, comment.answer_id) if comment.answer_id else question
    user = comment.author
    _touch(question)
    kind = _kind(post)
    record_event(
        "comment.posted",
        actor=user,
        subject=question,
        product_area_id=question.product_area_id,
        title=question.title,
        on=kind,
        comment_id=comment.id,
    )
    mentioned = mentioned_ids(comment.body, but={post.author_id}, markdown=False)  # plain text
    notify_each(
        (
            [post.author_id],
            "comment.posted",
            f"{user.display_name} commented on your {kind} “{question.title}”",
        ),
        (
            mentioned,
            "mention.comment",
            f"{user.display_name} mentioned you in a comment on “{question.title}”",
        ),
        (
            _watchers(question, but={post.author_id, *mentioned}),
            "watch.comment",
            f"{user.display_name} commented on “{question.title}”",
        ),
        url=question_path(question, f"comment-{comment.id}"),
        actor=user,
        note=comment.body[:300],
        about=("comment", comment.id),
        unless_muted=("question", question.id),
    )


def delete_comment(comment: Comment, user: User) -> None:
    """Soft-delete a comment (its author or support staff): hidden from members, kept for staff."""
    if comment.is_deleted:
        raise Refused("This comment is already deleted.")
    question = db.session.get(Question, comment.question_id)
    was_live = _is_live(comment)
    comment.deleted_at = utcnow()
    comment.deleted_by_id = user.id
    db.session.flush()
    _recount_visibility(comment, question, was_live)
    record_event(
        "comment.deleted",
        actor=user,
        subject=question,
        product_area_id=question.product_area_id,
        title=question.title,
        comment_id=comment.id,
    )


# Editing ---------------------------------------------------------------------------------------


def _keep_revision(post, *, title: str | None = None, tags: str | None = None) -> None:
    db.session.add(
        Revision(
            question_id=post.id if isinstance(post, Question) else None,
            answer_id=post.id if isinstance(post, Answer) else None,
            author_id=post.edited_by_id or post.author_id,
            title=title,
            body=post.body,
            body_html=post.body_html,
            tags=tags,
            written_at=post.edited_at or post.created_at,
            replaced_at=utcnow(),
        )
    )


def edit_question(
    question: Question, editor: User, *, title: str, body: str, area: ProductArea, tags: list[str]
) -> bool:
    """Save an edit, keeping the earlier version; returns False when nothing changed."""
    _check_not_deleted(question)
    if len(tags) > MAX_TAGS:
        raise Refused(f"Use at most {MAX_TAGS} tags.")
    old_tags = [tag.name for tag in question.tags]
    title = title.strip()
    if (title, body, area.id, tags) == (
        question.title,
        question.body,
        question.product_area_id,
        old_tags,
    ):
        return False
    _keep_revision(question, title=question.title, tags=" ".join(old_tags))
    log_edit(
        "question",
        question,
        editor,
        before=f"{question.title}\n\n{question.body}",
        after=f"{title}\n\n{body}",
    )
    now = utcnow()
    named = added_mentions(question.body, body)
    question.title = title
    question.body = body
    question.body_html = render_markdown(body, mention_links(body))
    question.product_area_id = area.id
    question.tags = get_or_create_tags(tags)
    question.edited_at = now
    question.edited_by_id = editor.id
    question.last_activity_at = now
    db.session.flush()
    record_event(
        "question.edited",
        actor=editor,
        subject=question,
        product_area_id=area.id,
        title=question.title,
    )
    record_search_change("question", question.id)
    resubmit("question", question, editor)
    if _is_live(question):  # a held post names them when it is approved
        notify(
            named,
            kind="mention.question",
            title=f"{editor.display_name} mentioned you in “{question.title}”",
            url=question_path(question),
            actor=editor,
            note=excerpt(question.body_html, 300),
            about=("question", question.id),
        )
    return True


def edit_answer(answer: Answer, editor: User, *, body: str) -> bool:
    _check_not_deleted(answer)
    if body == answer.body:
        return False
    _keep_revision(answer)
    log_edit("answer", answer, editor, before=answer.body, after=body)
    now = utcnow()
    named = added_mentions(answer.body, body)
    answer.body = body
    answer.body_html = render_markdown(body, mention_links(body))
    answer.edited_at = now
    answer.edited_by_id = editor.id
    db.session.flush()
    _touch(answer.question)
    record_event(
        "answer.edited",
        actor=editor,
        subject=answer,
        product_area_id=answer.question.product_area_id,
        title=answer.question.title,
    )
    record_search_change("answer", answer.id)
    resubmit("answer", answer, editor)
    question = answer.question
    if _is_live(answer) and _is_live(question):
        notify(
            named,
            kind="mention.answer",
            title=f"{editor.display_name} mentioned you in an answer to “{question.title}”",
            url=question_path(question, f"answer-{answer.id}"),
            actor=editor,
            note=excerpt(answer.body_html, 300),
            about=("answer", answer.id),
            unless_muted=("question", question.id),
        )
    return True


# Moderation ------------------------------------------------------------------------------------


def delete_post(post, moderator: User) -> None:
    """Soft-delete: hidden from members, kept (and restorable) for staff."""
    kind = _kind(post)
    question = _lock_post(post)
    if post.is_deleted:
        raise Refused(f"This {kind} is already deleted.")
    was_live = _is_live(post)
    post.deleted_at = utcnow()
    post.deleted_by_id = moderator.id
    _recount_visibility(post, question, was_live)
    db.session.flush()
    record_event(
        f"{kind}.deleted",
        actor=moderator,
        subject=post,
        product_area_id=question.product_area_id,
        title=question.title,
    )
    record_search_change(kind, post.id, "delete")


def undelete_post(post, moderator: User) -> None:
    kind = _kind(post)
    question = _lock_post(post)
    if not post.is_deleted:
        raise Refused(f"This {kind} is not deleted.")
    post.deleted_at = None
    post.deleted_by_id = None
    _recount_visibility(post, question, was_live=False)
    db.session.flush()
    record_event(
        f"{kind}.undeleted",
        actor=moderator,
        subject=post,
        product_area_id=question.product_area_id,
        title=question.title,
    )
    record_search_change(kind, post.id)


def close_as_duplicate(question: Question, moderator: User, original: Question) -> None:
    # Closings at once take turns and check what the one before did: two moderators never
    # close one question twice, nor two questions as duplicates of each other.
    lock_for_write(Question, question.id, original.id)
    _check_not_deleted(question)
    if question.is_closed:
        raise Refused("This question is already closed.")
    if original.id == question.id:
        raise Refused("A question can’t be a duplicate of itself.")
    if original.is_deleted:
        raise Refused("That question was deleted; choose one that people can read.")
    if original.duplicate_of_id == question.id:
        raise Refused("That question is already closed as a duplicate of this one.")
    question.closed_at = utcnow()
    question.closed_by_id = moderator.id
    question.duplicate_of_id = original.id
    db.session.flush()
    record_event(
        "question.closed",
        actor=moderator,
        subject=question,
        product_area_id=question.product_area_id,
        title=question.title,
        duplicate_of=original.id,
    )
    record_search_change("question", question.id)
    notify(
        [question.author_id],
        kind="question.closed",
        title=f"Your question “{question.title}” was closed as a duplicate",
        url=question_path(question),
        actor=moderator,
        note=f"See “{original.title}”.",
        about=("question", original.id),
    )


def close_as_idea(question: Question, by: User) -> None:
    """Close a question that became an idea (links/ makes the idea and records the event): the
    idea team's call, so it takes no new answers while votes gather on the idea."""
    _lock_post(question)
    _check_not_deleted(question)
    if not can(by, Permission.MANAGE_IDEAS):
        raise Refused("Only the idea team can turn a question into an idea.")
    if question.is_closed:
        raise Refused("This question is closed already; reopen it first.")
    question.closed_at = utcnow()
    question.closed_by_id = by.id
    db.session.flush()
    record_search_change("question", question.id)


def reopen_question(question: Question, moderator: User) -> None:
    _lock_post(question)
    _check_not_deleted(question)
    if not question.is_closed:
        raise Refused("This question is not closed.")
    question.closed_at = None
    question.closed_by_id = None
    question.duplicate_of_id = None
    db.session.flush()
    record_event(
        "question.reopened",
        actor=moderator,
        subject=question,
        product_area_id=question.product_area_id,
        title=question.title,
    )
    record_search_change("question", question.id)


# Review (portal/moderation) ---------------------------------------------------------------------


def set_review_state(post, state: str | None) -> None:
    """Withhold a question or answer ("pending", "hidden") or show it to everyone again (None);
    its counts follow (`_recount_visibility`) and a withheld post leaves the search index."""
    kind = _kind(post)
    question = _lock_post(post)
    was_live, post.review_state = _is_live(post), state
    _recount_visibility(post, question, was_live)
    db.session.flush()
    record_search_change(kind, post.id, "upsert" if _is_live(post) else "delete")


def set_comment_review_state(comment: Comment, state: str | None) -> None:
    was_live, comment.review_state = _is_live(comment), state
    _recount_visibility(comment, None, was_live)
    db.session.flush()
