"""The OpenAPI 3.1 document, built by apispec from the declared operations (operations.py):
their marshmallow schemas for queries and answers, and the pages' WTForms forms for bodies."""

import copy

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app
from markupsafe import Markup
from marshmallow import Schema
from wtforms import validators as v
from wtforms.fields.core import UnboundField

from portal.api import schemas
from portal.api.operations import OPERATIONS, Operation
from portal.inputs import MAX_ID
from portal.markdown import render_markdown
from portal.site.services import get_settings

SCOPE_WORDS = {
    "read": "Anyone may call it; with a token, the caller sees what its owner may see.",
    "write": "Needs a token with the `write` scope.",
    "moderate": "Needs a token with the `moderate` scope.",
    "insights": "Needs a token with the `insights` scope.",
}
PROBLEMS = {
    400: "The request is not valid: an invisible control character, a body of the wrong shape",
    401: "No token, or one that is not valid",
    403: "The token lacks the scope, or its owner may not do this",
    404: "Not found, or not visible to the caller",
    409: "The rules refused the change; `detail` says why",
    415: "The body is not JSON",
    422: "A field is not valid; `errors` says what is wrong with each",
    429: "Too many calls: wait and try again",
}
INTRO = """The community's questions, answers, ideas and votes, for scripts and integrations.

**Authentication.** Make a personal access token in your settings and send it as
`Authorization: Bearer <token>`. Reads work without one (you see what a visitor sees). A
token acts as its owner within its scopes; the site's cookies are never accepted here.

**Lists** are paged by cursor: pass a page's `next_cursor` as `cursor` to get the next one
(also given in the `Link` header). `null` means the last page.

**Caching.** Answers carry an `ETag`; send it back in `If-None-Match` to get
`304 Not Modified` when nothing changed.

**Errors** are problem details (RFC 9457): `status`, `title`, `detail`, and for a refused
body `errors`, the messages for each field.
"""


def document() -> dict:
    """The document, built once per app: it changes only with the code and the settings."""
    built = current_app.extensions.get("api_openapi")
    if built is None:
        built = current_app.extensions["api_openapi"] = build()
    return built


def reference() -> dict:
    """What the reference page shows: the introduction and each section's calls, descriptions
    as HTML and bodies' schemas written out. Made once per app, as the document."""
    built = current_app.extensions.get("api_reference")
    if built is None:
        written_out = copy.deepcopy(document())
        sections: dict[str, list] = {}
        for path, operations in written_out["paths"].items():
            for method, described in operations.items():
                _write_out_body(described, written_out["components"]["schemas"])
                html = Markup(render_markdown(described["description"]))
                sections.setdefault(described["tags"][0], []).append(
                    (path, method, described, html)
                )
        intro = Markup(render_markdown(written_out["info"]["description"]))
        built = current_app.extensions["api_reference"] = {"intro": intro, "sections": sections}
    return built


def _write_out_body(operation: dict, components: dict) -> None:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body and "$ref" in body["schema"]:
        body["schema"] = components[body["schema"]["$ref"].rsplit("/", 1)[-1]]


def build() -> dict:
    site = get_settings()
    spec = APISpec(
        title=f"{site.community_name} API",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": INTRO},
        servers=[{"url": current_app.config["BASE_URL"].rstrip("/") + "/api/v1"}],
    )
    spec.components.security_scheme(
        "token", {"type": "http", "scheme": "bearer", "description": "A personal access token"}
    )
    spec.components.schema("Problem", schema=schemas.Problem)
    for declared in OPERATIONS:
        spec.path(path=declared.path, operations={declared.method.lower(): _operation(declared)})
    document = spec.to_dict()
    for operation in (op for ops in document["paths"].values() for op in ops.values()):
        for parameter in operation["parameters"]:
            _no_control_characters(parameter["schema"], ONE_LINE)
    return document


# What portal/inputs.py refuses before any view runs: control characters in an address, and
# in a body all but tab and line breaks.
ONE_LINE = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
MULTILINE = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def _no_control_characters(schema: dict, pattern: str) -> None:
    if schema.get("type") == "string" and "enum" not in schema:
        schema.setdefault("pattern", pattern)


def _operation(declared: Operation) -> dict:
    parameters = [
        {
            "in": "path",
            "name": name,
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            if converter == "int"
            else {"type": "string", **declared.path_values.get(name, {})},
        }
        for name, converter in declared.path_parameters
    ]
    if declared.query is not None:
        parameters.append({"in": "query", "schema": declared.query})
    operation = {
        "operationId": declared.endpoint,
        "summary": declared.summary,
        "description": "\n\n".join(
            part
            for part in (declared.description, declared.needs, SCOPE_WORDS[declared.scope])
            if part
        ),
        "tags": [declared.tag],
        "parameters": parameters,
        "responses": {str(declared.status): _success(declared), **_problems(declared)},
        "security": [{}, {"token": []}]
        if declared.scope == "read"
        else [{"token": [declared.scope]}],
    }
    if declared.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _body_schema(declared.body)}},
        }
    return operation


def _success(declared: Operation) -> dict:
    if declared.response is None:
        return {"description": "Done"}
    schema = declared.response
    if declared.paged:
        schema = {
            "type": "object",
            "required": ["items", "next_cursor"],
            "properties": {
                "items": {"type": "array", "items": declared.response},
                "next_cursor": {"type": ["string", "null"]},
            },
        }
    elif declared.many:
        schema = {"type": "array", "items": declared.response}
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


def _problems(declared: Operation) -> dict:
    codes = {400, 429, *declared.errors}
    if declared.path_parameters:
        codes |= {404}
    if declared.query is not None or declared.body is not None:
        codes |= {422}
    if declared.body is not None:
        codes |= {400, 401, 403, 409, 415}
    if declared.scope != "read":
        codes |= {401, 403}
    return {
        str(code): {
            "description": PROBLEMS[code],
            "content": {"application/problem+json": {"schema": "Problem"}},
        }
        for code in sorted(codes)
    }


def _body_schema(body_class):
    if issubclass(body_class, Schema):
        return body_class
    return form_schema(body_class)


def form_schema(form_class) -> dict:
    """A JSON Schema for a body that fills `form_class`: each field a string (or a list of
    strings, or a boolean), with the lengths and the requirements of its validators."""
    properties: dict = {}
    required = []
    unbound_fields = sorted(
        (
            (name, getattr(form_class, name))
            for name in dir(form_class)
            if isinstance(getattr(form_class, name, None), UnboundField)
        ),
        key=lambda pair: pair[1].creation_counter,
    )
    for name, unbound in unbound_fields:
        type_name = unbound.field_class.__name__
        if type_name == "HiddenField":
            continue
        multiline = type_name == "TextAreaField"
        prop: dict = {"type": "string", "pattern": MULTILINE if multiline else ONE_LINE}
        if type_name == "BooleanField":
            prop = {"type": "boolean"}
        elif type_name == "SelectMultipleField":
            prop = {"type": "array", "items": {"type": "string"}}
        label = unbound.args[0] if unbound.args else name
        description = unbound.kwargs.get("description")
        prop["description"] = f"{label}. {description}" if description else str(label)
        for check in unbound.kwargs.get("validators", []):
            if isinstance(check, v.DataRequired | v.InputRequired):
                required.append(name)
            if isinstance(check, v.Length):
                if check.min and check.min > 0:
                    prop["minLength"] = check.min
                if check.max and check.max > 0:
                    prop["maxLength"] = check.max
        if unbound.kwargs.get("choices"):
            prop["enum"] = [getattr(c, "value", None) or c[0] for c in unbound.kwargs["choices"]]
        properties[name] = prop
    return {"type": "object", "properties": properties, "required": required}
