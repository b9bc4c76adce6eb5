from flask import jsonify, render_template, request

from portal.pagination import requested_page
from portal.search import bp
from portal.search.documents import LISTED
from portal.search.queries import SORTS, TYPES, Filters, search, similar
from portal.search.services import log_search
from portal.taxonomy.services import all_areas

MAX_PAGE = 500
STATUS_CHOICES = [
    ("", "Any status"),
    ("solved", "Solved questions"),
    ("unsolved", "Unsolved questions"),
    ("under_review", "Ideas under review"),
    ("planned", "Planned ideas"),
    ("in_progress", "Ideas in progress"),
    ("shipped", "Shipped ideas"),
    ("declined", "Declined ideas"),
]


def _filters() -> Filters:
    args = request.args
    doc_type = args.get("type", "")
    status = args.get("status", "")
    return Filters(
        type=doc_type if doc_type in TYPES else None,
        area=args.get("area", "")[:80] or None,
        tag=args.get("tag", "")[:35] or None,
        status=status if status in dict(STATUS_CHOICES) and status else None,
    )


@bp.get("")
def results():
    raw = request.args.get("q", "")
    sort = request.args.get("sort", "relevance")
    sort = sort if sort in SORTS else "relevance"
    outcome = search(  # a page past the end comes back as the last page
        raw,
        _filters(),
        sort=sort,
        page=min(requested_page(), MAX_PAGE),
        exact=request.args.get("exact") == "1",
    )
    if outcome.query and outcome.page == 1 and not outcome.from_database:
        log_search(outcome.query, outcome.total)
    return render_template(
        "search/results.html",
        outcome=outcome,
        filters=_filters(),
        sort=sort,
        areas=all_areas(),
        statuses=STATUS_CHOICES,
        types=[("", "All types"), *LISTED.items()],
    )


@bp.get("/similar")
def similar_items():
    """JSON for the ask and suggest forms: the top 5 similar questions and ideas."""
    doc_type = request.args.get("type", "any")
    hits = similar(request.args.get("q", ""), doc_type=doc_type)
    return jsonify(
        [
            {
                "type": hit.type,
                "id": hit.id,
                "title": hit.title,
                "url": hit.url,
                "status": hit.status,
                "solved": hit.solved,
                "votes": hit.votes,
            }
            for hit in hits
        ]
    )
