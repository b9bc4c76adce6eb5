"""The search log: what people searched for and how much they found. A search is logged in
memory and written with others in one batch every few seconds (see portal.batched): a search
costs no write of its own."""

from flask import Flask, current_app
from flask_login import current_user
from sqlalchemy import insert

from portal import batched
from portal.clock import utcnow
from portal.extensions import db
from portal.search.models import SearchQuery


def log_search(text: str, results: int, source: str = "search") -> None:
    user_id = current_user.id if current_user.is_authenticated else None
    current_app.extensions["searches"].add(
        {
            "query": text.lower()[:200],
            "results": results,
            "user_id": user_id,
            "source": source,
            "created_at": utcnow(),
        }
    )


def write_searches(searches: list[dict]) -> None:
    db.session.execute(insert(SearchQuery), searches)
    db.session.commit()


def register_search_log(app: Flask) -> None:
    every = app.config["SEARCH_LOG_FLUSH_SECONDS"]
    batched.register(app, "searches", write_searches, every)
