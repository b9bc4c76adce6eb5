"""What a request may carry into a view, checked once for every route before any view runs.

Ids in paths match only within the database's integer range, so a bigger one is a 404 before a
view queries with it (PostgreSQL's `integer` ends at 2**31 - 1). Control characters are refused:
PostgreSQL cannot store a NUL, and no one types the others. Paths and query strings allow none;
text sent in a body may hold tabs and line breaks. Views that show their form again with what
was typed (`portal.csrf.form_view`) get the body as it is: their forms report the character on
its field (`portal.forms.Form`).
"""

import re

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

from portal.csrf import is_form_view

MAX_ID = 2**31 - 1

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same but for tab, newline and the CR of a CRLF (browsers send textarea lines so).
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")

CONTROL_CHARACTER_MESSAGE = (
    "This has an invisible control character (such as a NUL) in it. Remove it and try again."
)


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """True when `value` holds a control character (tab and line breaks pass when multiline)."""
    return (_CONTROL_IN_TEXT if multiline else _CONTROL).search(value) is not None


def typed_id(digits: str) -> int | None:
    """The id someone typed (a question's number, say), or None when no row can have it."""
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(MAX_ID)):
        return None
    number = int(digits)
    return number if 0 < number <= MAX_ID else None


class IdConverter(IntegerConverter):
    """`<int:...>` for ids: only numbers the database's integer ids can hold match."""

    def __init__(self, map: Map, fixed_digits=0, min=None, max=MAX_ID, signed=False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def _refuse_control_characters() -> None:
    if any(
        isinstance(value, str) and has_control_characters(value)
        for value in (request.view_args or {}).values()
    ):
        abort(404)
    for name, values in request.args.lists():
        if any(has_control_characters(text) for text in (name, *values)):
            abort(
                400,
                description=f"The address has an invisible control character (such as a NUL) "
                f"in “{_printable(name)}”. Remove it and try again.",
            )
    if is_form_view(request.endpoint):
        return
    for name, values in request.form.lists():
        if any(has_control_characters(text, multiline=True) for text in (name, *values)):
            abort(
                400,
                description=f"What you sent has an invisible control character (such as a NUL) "
                f"in “{_printable(name)}”. Remove it and try again.",
            )


def _printable(name: str) -> str:
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", name)[:40]


def register(app: Flask) -> None:
    """Before the blueprints: their rules take the converter when they are added."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_control_characters)
