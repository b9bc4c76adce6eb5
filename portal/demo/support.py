"""Demo support Q&A: questions across the product areas, answers (some by staff), votes,
accepted answers, comments, a duplicate, activity events and notifications, back-dated."""

from datetime import timedelta

from portal.activity import record_event
from portal.demo import DemoContext
from portal.demo.support_content import DUPLICATE, QUESTIONS
from portal.extensions import db
from portal.markdown import render_markdown
from portal.notifications.models import Notification
from portal.search.changes import record_search_change
from portal.support.models import Answer, Comment, Question, Revision, Vote
from portal.support.recount import recount
from portal.taxonomy.services import get_or_create_tags

MEMBER_KEYS = ["member"] + [f"m{n}" for n in range(2, 15)]


def _question(ctx: DemoContext, spec: dict, asked) -> Question:
    asker = ctx.users[spec["asker"]]
    question = Question(
        author_id=asker.id,
        product_area_id=ctx.areas[spec["area"]].id,
        title=spec["title"],
        body=spec["body"],
        body_html=render_markdown(spec["body"]),
        created_at=asked,
        last_activity_at=asked,
        view_count=ctx.rng.randint(12, 480),
    )
    question.tags = get_or_create_tags(spec["tags"])
    db.session.add(question)
    db.session.flush()
    record_event(
        "question.asked",
        actor=asker,
        subject=question,
        product_area_id=question.product_area_id,
        at=asked,
        title=question.title,
    )
    record_search_change("question", question.id)
    return question


def _vote(ctx: DemoContext, post, author_key: str, up_bias: float, at) -> None:
    voters = [k for k in MEMBER_KEYS if k != author_key]
    for key in ctx.rng.sample(voters, ctx.rng.randint(0, 6)):
        value = 1 if ctx.rng.random() < up_bias else -1
        field = "question_id" if isinstance(post, Question) else "answer_id"
        db.session.add(
            Vote(user_id=ctx.users[key].id, value=value, created_at=at, **{field: post.id})
        )
        ctx.count("votes")


def _edit(ctx: DemoContext, question: Question) -> None:
    """The asker added a detail after posting: the earlier version is kept as a revision."""
    first_body = question.body.split("\n\nHow do we")[0]
    db.session.add(
        Revision(
            question_id=question.id,
            author_id=question.author_id,
            title=question.title,
            body=first_body,
            body_html=render_markdown(first_body),
            tags=" ".join(tag.name for tag in question.tags),
            written_at=question.created_at,
            replaced_at=question.created_at + timedelta(minutes=25),
        )
    )
    question.edited_at = question.created_at + timedelta(minutes=25)
    question.edited_by_id = question.author_id
    record_event(
        "question.edited",
        actor=next(u for u in ctx.users.values() if u.id == question.author_id),
        subject=question,
        product_area_id=question.product_area_id,
        at=question.edited_at,
        title=question.title,
    )


def load(ctx: DemoContext) -> None:
    questions = []
    for spec in QUESTIONS:
        asked = ctx.ago(days=spec["days"], hours=ctx.rng.randint(1, 9))
        question = _question(ctx, spec, asked)
        questions.append(question)
        _vote(ctx, question, spec["asker"], 0.85, asked + timedelta(hours=2))
        answers = []
        for index, (author_key, body, accepted) in enumerate(spec["answers"]):
            answered = asked + timedelta(hours=1 + index * 3, minutes=ctx.rng.randint(0, 50))
            author = ctx.users[author_key]
            answer = Answer(
                question_id=question.id,
                author_id=author.id,
                body=body,
                body_html=render_markdown(body),
                created_at=answered,
            )
            db.session.add(answer)
            db.session.flush()
            answers.append(answer)
            question.last_activity_at = max(question.last_activity_at, answered)
            record_event(
                "answer.posted",
                actor=author,
                subject=answer,
                product_area_id=question.product_area_id,
                at=answered,
                title=question.title,
                question_id=question.id,
            )
            record_search_change("answer", answer.id)
            db.session.add(
                Notification(
                    user_id=question.author_id,
                    actor_id=author.id,
                    kind="answer.posted",
                    title=f"{author.display_name} answered your question “{question.title}”",
                    url=f"/questions/{question.id}/{question.slug}#answer-{answer.id}",
                    created_at=answered,
                    read_at=answered + timedelta(hours=3) if spec["days"] > 2 else None,
                )
            )
            _vote(ctx, answer, author_key, 0.9 if accepted else 0.75, answered)
            ctx.count("answers")
            if accepted:
                accepted_at = answered + timedelta(hours=5)
                answer.is_accepted = True
                answer.accepted_at = accepted_at
                answer.accepted_by_id = question.author_id
                record_event(
                    "answer.accepted",
                    actor=ctx.users[spec["asker"]],
                    subject=answer,
                    product_area_id=question.product_area_id,
                    at=accepted_at,
                    title=question.title,
                    question_id=question.id,
                    by_team=False,
                )
        for target, author_key, text in spec["comments"]:
            on_answer = answers[target] if target != "q" else None
            commented = (on_answer.created_at if on_answer else asked) + timedelta(minutes=40)
            comment = Comment(
                question_id=question.id,
                answer_id=on_answer.id if on_answer else None,
                author_id=ctx.users[author_key].id,
                body=text,
                created_at=commented,
            )
            db.session.add(comment)
            db.session.flush()
            record_event(
                "comment.posted",
                actor=ctx.users[author_key],
                subject=question,
                product_area_id=question.product_area_id,
                at=commented,
                title=question.title,
                on="answer" if on_answer else "question",
                comment_id=comment.id,
            )
            ctx.count("comments")
    _edit(ctx, questions[1])
    duplicate = _question(ctx, DUPLICATE, ctx.ago(days=DUPLICATE["days"]))
    duplicate.closed_at = ctx.ago(hours=20)
    duplicate.closed_by_id = ctx.users["staff"].id
    duplicate.duplicate_of_id = questions[0].id
    ctx.count("questions", len(questions) + 1)
    db.session.flush()
    recount(fix=True)  # scores, answer and comment counts and reputation, from the rows
