"""Question views are counted in memory and written to the database in one batch every few
seconds, after a response (see portal.batched), so a busy question page costs no write per
visit."""

from collections import Counter

from flask import Flask, current_app
from sqlalchemy import bindparam, update

from portal import batched
from portal.extensions import db


def write_views(question_ids: list[int]) -> None:
    """One executemany UPDATE adding each question's new views to its counter."""
    from portal.support.models import Question

    table = Question.__table__
    views = Counter(question_ids)
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("question_id"))
        .values(view_count=table.c.view_count + bindparam("views")),
        [{"question_id": qid, "views": n} for qid, n in sorted(views.items())],
    )
    db.session.commit()


def register(app: Flask) -> batched.Batch[int]:
    every = app.config["VIEW_FLUSH_SECONDS"]
    return batched.register(app, "question views", write_views, every)


def count_view(question_id: int) -> None:
    current_app.extensions["question views"].add(question_id)
