"""Pages of long lists that stay fast deep into the list.

A list is given as a select of ids (its filters and order), or the ids themselves when they were
ranked in Python or cached, and a loader for the rows. The page's ids come from walking an index
(the offset skips index entries, not joined rows), the total from counting those ids, and only
the page's rows are loaded with everything they show. Totals are counted once per community
version (portal.caching). Flask-SQLAlchemy pages the whole select
instead: at page 500 of 100,000 questions that joins and discards 15,000 rows, and its count
re-runs every column of the select.
"""

from collections.abc import Callable, Sequence
from math import ceil

from flask import request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select, func, select

from portal.extensions import db

# More digits than any page number of any list: such a page is past the end.
_PAGE_DIGITS = 9


def requested_page() -> int:
    """?page= as a page number: 1 when it is not a positive whole number, and a number past the
    last page when it is too large for any list (pages clamp it to their last)."""
    raw = request.args.get("page", "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return max(int(raw), 1) if len(raw) <= _PAGE_DIGITS else 10**_PAGE_DIGITS


class _RequestedPage(Pagination):
    """The requested page, or the last page when it is past the end (never a 404 or a database
    error for a huge offset). The total is counted first, to know where the end is."""

    def __init__(self, *, per_page: int, **query_args) -> None:
        self._query_args = query_args
        total = self._query_count()
        last = max(ceil(total / per_page), 1)
        super().__init__(
            page=min(requested_page(), last),
            per_page=per_page,
            max_per_page=per_page,
            error_out=False,
            count=False,
            **query_args,
        )
        self.total = total


class IdPagination(_RequestedPage):
    """Flask-SQLAlchemy's Pagination (page links, `iter_pages`) over a list of ids."""

    def _query_items(self) -> list:
        ids = self._query_args["ids"]
        start, stop = self._query_offset, self._query_offset + self.per_page
        if isinstance(ids, Select):
            page_ids = list(db.session.scalars(ids.limit(self.per_page).offset(start)))
        else:
            page_ids = list(ids[start:stop])
        return list(self._query_args["load"](page_ids)) if page_ids else []

    def _query_count(self) -> int:
        ids = self._query_args["ids"]
        if not isinstance(ids, Select):
            return len(ids)
        counting = select(func.count()).select_from(ids.order_by(None).subquery())
        compiled = counting.compile(db.engine)
        key = (str(compiled), tuple(sorted((k, repr(v)) for k, v in compiled.params.items())))
        # Imported here: portal.caching reaches the accounts package, whose views page lists.
        from portal.caching import cached

        return cached("pagination.total", key, compute=lambda: db.session.scalar(counting))


def paginate_ids(
    ids: Select | Sequence[int], load: Callable[[list[int]], Sequence], *, per_page: int
) -> IdPagination:
    """The requested page (?page=) of the rows `ids` lists, loaded by `load` in that order."""
    return IdPagination(per_page=per_page, ids=ids, load=load)


class _SelectPage(_RequestedPage, SelectPagination):
    pass


def paginate(query: Select, *, per_page: int) -> Pagination:
    """The requested page (?page=) of the rows of `query`, as `db.paginate` but clamped."""
    return _SelectPage(per_page=per_page, select=query, session=db.session())


def load_in_order(query: Select, ids: list[int]) -> list:
    """The rows of `query` (a select of one model) with these ids, in the order of `ids`."""
    model = query.column_descriptions[0]["entity"]
    rows = {row.id: row for row in db.session.scalars(query.where(model.id.in_(ids)))}
    return [rows[row_id] for row_id in ids if row_id in rows]
