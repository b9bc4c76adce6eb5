"""Demo search log: what members looked for, some of it in vain (the insights' content gaps)."""

from datetime import timedelta

from portal.demo import DemoContext
from portal.extensions import db
from portal.search.models import SearchQuery

# (query, results it found, how many times over the last weeks)
SEARCHES = [
    ("sso saml okta", 0, 9),
    ("dark mode android", 0, 6),
    ("delete my account", 0, 5),
    ("export pdf with logo", 0, 4),
    ("zapier webhook retries", 1, 4),
    ("invoice vat number", 3, 7),
    ("calendar sync duplicates", 2, 5),
    ("offline mode", 4, 8),
    ("two factor new phone", 1, 3),
]


def load(ctx: DemoContext) -> None:
    members = [user for key, user in ctx.users.items() if key.startswith("m")]
    rows = []
    for query, results, times in SEARCHES:
        for n in range(times):
            when = ctx.now - timedelta(days=ctx.rng.randint(0, 55), hours=ctx.rng.randint(0, 23))
            searcher = ctx.rng.choice(members) if n % 3 else None  # some searches are anonymous
            rows.append(
                SearchQuery(
                    query=query,
                    results=results,
                    created_at=when,
                    user_id=searcher.id if searcher else None,
                )
            )
    db.session.add_all(rows)
    ctx.count("searches", len(rows))
