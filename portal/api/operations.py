"""How an API call is declared: its route, scope, query and body, and what it answers. The
declaration both registers the view and describes it for the OpenAPI document (spec.py), so
the document cannot drift from the code.

A view gets the parsed query (`query`) as a keyword argument, checks its body with `filled`,
and returns rows (and, for a 201, the headers); the declaration turns them into JSON with the
response schema, answers `304 Not Modified` when the caller already holds that JSON (ETag),
and pages lists by cursor. A call declared `shared` answers every caller alike (lists of what
everyone may see; or a record, when a function of its arguments says so), so its JSON is kept
until the community changes (portal.caching).
"""

import base64
import binascii
import functools
import json
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps

from flask import Response, abort, current_app, request
from marshmallow import Schema, ValidationError
from marshmallow import fields as f
from marshmallow.validate import Range
from sqlalchemy import Select, and_, or_

from portal.api import bp
from portal.api.auth import rate_key, scoped
from portal.caching import cached
from portal.extensions import db, limiter
from portal.public_url import public_url
from portal.writes import problem

MAX_LIMIT = 100
KEEP_SECONDS = 60


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    description: str
    tag: str
    scope: str
    status: int
    query: type[Schema] | None
    body: type | None  # a WTForms form (the pages' own rules) or a marshmallow schema
    response: type[Schema] | None
    paged: bool
    many: bool
    needs: str = ""  # who may call it, in words, for the document
    errors: tuple[int, ...] = field(default_factory=tuple)
    path_values: dict = field(default_factory=dict)  # name -> JSON Schema of a text path part

    @property
    def path(self) -> str:
        """The rule in OpenAPI's notation: /questions/{question_id}."""
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)

    @property
    def path_parameters(self) -> list[tuple[str, str]]:
        """(name, converter) of each part of the path: `int` or `string`."""
        return [
            (name, converter or "string")
            for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", self.rule)
        ]


OPERATIONS: list[Operation] = []


class Paging(Schema):
    cursor = f.Str(metadata={"description": "`next_cursor` of the page before"})
    limit = f.Int(
        load_default=30,
        validate=Range(1, MAX_LIMIT, error=f"Ask for 1 to {MAX_LIMIT} items."),
        metadata={"description": f"Items per page, 1 to {MAX_LIMIT}"},
    )


def operation(
    rule: str,
    method: str = "GET",
    *,
    summary: str,
    tag: str,
    scope: str = "read",
    query: type[Schema] | None = None,
    body: type | None = None,
    response: type[Schema] | None = None,
    paged: bool = False,
    many: bool = False,
    shared: bool | Callable[..., bool] = False,
    status: int = 200,
    needs: str = "",
    errors: tuple[int, ...] = (),
    path_values: dict | None = None,
) -> Callable:
    def decorate(view):
        declared = Operation(
            rule=rule,
            method=method,
            endpoint=view.__name__,
            summary=summary,
            description=(view.__doc__ or "").strip(),
            tag=tag,
            scope=scope,
            status=status,
            query=query,
            body=body,
            response=response,
            paged=paged,
            many=many,
            needs=needs,
            errors=errors,
            path_values=path_values or {},
        )

        @wraps(view)
        def run(**kwargs):
            if declared.query is not None:
                kwargs["query"] = _parse_query(declared.query)
            if not (shared(**kwargs) if callable(shared) else shared):
                return _respond(declared, *_render(declared, view(**kwargs)))
            # The same for every caller: kept until the community changes, and at most a
            # minute, as pages are (a renamed member or area records no activity event).
            arguments = tuple(sorted(request.args.items(multi=True)))
            found = cached(
                f"api.{declared.endpoint}",
                arguments,
                tuple(sorted((request.view_args or {}).items())),
                _keeping_window(),
                compute=lambda: _render(declared, view(**kwargs)),
            )
            return _respond(declared, *found)

        # One budget per caller across all reads, and one across all writes.
        kind = "read" if scope == "read" and method == "GET" else "write"
        limited = limiter.shared_limit(
            lambda: current_app.config[f"API_{kind.upper()}_LIMIT"],
            scope=f"api-{kind}",
            key_func=rate_key,
        )
        bp.add_url_rule(rule, view.__name__, limited(scoped(scope)(run)), methods=[method])
        OPERATIONS.append(declared)
        return run

    return decorate


def _keeping_window() -> int:
    """The minute a kept answer belongs to; each address's minute starts at a second of its
    own, so kept answers do not all expire at once (as pages, portal/caching/pages.py)."""
    offset = zlib.crc32(request.full_path.encode()) % KEEP_SECONDS
    return int((time.time() + offset) // KEEP_SECONDS)


@functools.cache
def _instance(schema: type[Schema]) -> Schema:
    """One instance per schema: making one copies every field, and loading keeps no state."""
    return schema()


def _parse_query(schema: type[Schema]) -> dict:
    try:
        return _instance(schema).load(request.args.to_dict())
    except ValidationError as error:
        abort(invalid(error.messages))


def filled(body_class, **choices):
    """The JSON body, checked: by a WTForms form (the pages' own rules; `choices` fills its
    select fields) or by a marshmallow schema. A 422 that names each field when it fails."""
    if not request.is_json:
        abort(problem(415, "Send the body as JSON (Content-Type: application/json)."))
    if isinstance(body_class, type) and issubclass(body_class, Schema):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort(invalid({"body": ["Send a JSON object."]}))
        try:
            return body_class().load(body)
        except ValidationError as error:
            abort(invalid(error.messages))
    form = body_class(meta={"csrf": False})
    for name, values in choices.items():
        form[name].choices = values
    if not form.validate():
        abort(invalid(form.errors))
    return form


def invalid(messages: dict):
    """A 422 that says what is wrong with each field."""
    errors = {
        name: [str(m) for m in (found if isinstance(found, list) else [found])]
        for name, found in messages.items()
    }
    first = next(iter(errors.values()))[0] if errors else "The request is not valid."
    return problem(422, first, errors=errors)


def refused_field(name: str, message: str):
    """Stop with a 422 that names the field, as a validation error would."""
    abort(invalid({name: [message]}))


def _render(declared: Operation, result) -> tuple[bytes | None, dict]:
    """The view's result as the JSON body, and the headers that go with it."""
    headers = {}
    if isinstance(result, tuple) and not declared.paged:
        result, headers = result
    if isinstance(result, tuple) and declared.paged:
        items, next_cursor = result
        body = {
            "items": declared.response(many=True).dump(items),
            "next_cursor": next_cursor,
        }
        if next_cursor:
            args = {**request.args.to_dict(), "cursor": next_cursor}
            following = public_url(request.endpoint, **(request.view_args or {}), **args)
            headers["Link"] = f'<{following}>; rel="next"'
    elif declared.response is not None and declared.many:
        body = declared.response(many=True).dump(result)
    elif declared.response is not None and result is not None:
        body = declared.response().dump(result)
    else:
        body = result
    if body is None:
        return None, headers
    return current_app.json.dumps(body).encode() + b"\n", headers


def _respond(declared: Operation, body: bytes | None, headers: dict):
    if body is None:
        return Response(status=204)
    response = Response(body, status=declared.status, mimetype="application/json")
    response.headers.update(headers)
    if request.method == "GET":
        # Private: each caller sees what they may; revalidated, so a change shows at once.
        response.headers["Cache-Control"] = "private, no-cache"
        response.add_etag()
        response.make_conditional(request)
    return response


# Pages by cursor ---------------------------------------------------------------------------------


def page_by_cursor(query: Select, model, paging: dict) -> tuple[list, str | None]:
    """One page of `query` (rows of `model`, newest first by created_at then id) after the
    cursor, and the cursor of the next page (None on the last). A cursor is where the last
    page ended, so rows added meanwhile neither repeat nor go missing, however deep the page."""
    after = _read_cursor(paging.get("cursor"))
    if after is not None:
        created_at, row_id = after
        query = query.where(
            or_(
                model.created_at < created_at,
                and_(model.created_at == created_at, model.id < row_id),
            )
        )
    limit = paging["limit"]
    rows = list(
        db.session.scalars(
            query.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)
        )
    )
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], _cursor(last.created_at, last.id)


def _cursor(created_at: datetime, row_id: int) -> str:
    raw = json.dumps([created_at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, row_id = json.loads(raw)
        if not isinstance(row_id, int) or isinstance(row_id, bool) or abs(row_id) > 2**62:
            raise ValueError
        created_at = datetime.fromisoformat(when)
        if created_at.tzinfo is not None:
            raise ValueError
        return created_at, row_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        abort(invalid({"cursor": ["This is not a cursor the API gave: start without one."]}))
