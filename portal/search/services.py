"""The search log: what people searched for and how much they found."""

from flask_login import current_user

from portal.extensions import db
from portal.search.models import SearchQuery


def log_search(text: str, results: int, source: str = "search") -> None:
    user_id = current_user.id if current_user.is_authenticated else None
    db.session.add(
        SearchQuery(query=text.lower()[:200], results=results, user_id=user_id, source=source)
    )
