"""Publishing a changelog entry: the ideas it names ship, and everyone who asked hears."""

from sqlalchemy import func, select, union

from portal.accounts.permissions import Permission, can
from portal.activity import record_event
from portal.changelog.models import ChangelogEntry, ChangelogIdea
from portal.extensions import db
from portal.ideas.models import Idea, IdeaFollower, IdeaQuestion, IdeaStatus, IdeaVote
from portal.ideas.services import change_status
from portal.links.services import find_idea
from portal.markdown import render_markdown
from portal.notifications.services import notify
from portal.public_url import site_path
from portal.search.changes import record_search_change
from portal.support.links import question_path
from portal.support.models import Question
from portal.writes import Refused

MAX_IDEAS = 50
TITLE_CHARS, BODY_CHARS = 150, 20_000


def ideas_named(references: list[str]) -> list[Idea]:
    """The ideas an entry names, by number, #number or link, one per line, each once."""
    found: dict[int, Idea] = {}
    for reference in references:
        if reference.strip():
            idea = find_idea(reference[:300])
            found[idea.id] = idea
    if len(found) > MAX_IDEAS:
        raise Refused(f"Name at most {MAX_IDEAS} ideas in one entry.", field="ideas")
    for idea in found.values():
        if idea.is_merged:
            raise Refused(f"#{idea.id} was merged: name the idea it went into.", field="ideas")
        if idea.review_state is not None:
            raise Refused(f"#{idea.id} is withheld from view: it cannot ship.", field="ideas")
    return list(found.values())


def publish_entry(author, *, title: str, body: str, ideas: list[Idea]) -> ChangelogEntry:
    if not can(author, Permission.MANAGE_IDEAS):
        raise Refused("Only the product team publishes the changelog.")
    title = " ".join(title.split())
    if not title or len(title) > TITLE_CHARS:
        raise Refused(f"Give it a title of 1 to {TITLE_CHARS} characters.", field="title")
    if not body.strip() or len(body) > BODY_CHARS:
        raise Refused(f"Say what changed, in 1 to {BODY_CHARS:,} characters.", field="body")
    entry = ChangelogEntry(title=title, body=body, body_html=render_markdown(body), author=author)
    db.session.add(entry)
    db.session.flush()
    path = site_path("changelog.entry", entry_id=entry.id)
    ids = [idea.id for idea in ideas]
    db.session.add_all(ChangelogIdea(entry_id=entry.id, idea_id=idea_id) for idea_id in ids)
    for idea in ideas:
        if idea.status != IdeaStatus.SHIPPED:  # its voters and followers hear of it
            change_status(idea, IdeaStatus.SHIPPED, note=f"Shipped in “{title}”: {path}", by=author)
    entry.voters_told = _voters_and_followers(ids)
    entry.askers_told = _tell_askers(ideas, author)
    record_search_change("changelog", entry.id)
    record_event(
        "changelog.published",
        actor=author,
        subject=entry,
        title=entry.title,
        ideas=len(ids),
        askers_told=entry.askers_told,
    )
    return entry


def _voters_and_followers(idea_ids: list[int]) -> int:
    if not idea_ids:
        return 0
    people = union(
        select(IdeaVote.user_id).where(IdeaVote.idea_id.in_(idea_ids)),
        select(IdeaFollower.user_id).where(IdeaFollower.idea_id.in_(idea_ids)),
    ).subquery()
    return db.session.scalar(select(func.count()).select_from(people))


def _tell_askers(ideas: list[Idea], author) -> int:
    """Ask each asker of a live question linked to a shipped idea to check whether it is solved
    now: one notification per question."""
    if not ideas:
        return 0
    titles = {idea.id: idea.title for idea in ideas}
    rows = db.session.execute(
        select(IdeaQuestion.idea_id, Question)
        .join(Question, Question.id == IdeaQuestion.question_id)
        .where(
            IdeaQuestion.idea_id.in_(titles),
            Question.live(),
            Question.author_id.is_not(None),
        )
        .order_by(Question.id)
    ).all()
    told: set[int] = set()
    for idea_id, question in rows:
        if question.id in told:
            continue
        told.add(question.id)
        notify(
            [question.author_id],
            kind="idea.shipped_for_question",
            title=f"“{titles[idea_id]}” has shipped: does it solve “{question.title}”?",
            url=question_path(question),
            actor=author,
            note="If it does, accept the answer that helped or say so in an answer.",
            about=("question", question.id),
        )
    return len(told)
