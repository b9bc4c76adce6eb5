"""Form helpers shared by every feature, and the base class of every form."""

from collections.abc import Iterable

from flask import abort, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict, MultiDict
from wtforms import EmailField, SelectChoice
from wtforms.validators import DataRequired, Email, Length, StopValidation
from wtforms.widgets import TextArea

from portal.inputs import CONTROL_CHARACTER_MESSAGE, has_control_characters

_FROM_REQUEST = object()


# A field hidden from people and screen readers (templates' honeypot macro) that bots filling
# every field fill: a post with it filled goes to the review queue as a spam suspect.
HONEYPOT = "website"


def honeypot_filled() -> bool:
    return bool(request.form.get(HONEYPOT, "").strip())


class Form(FlaskForm):
    """A FlaskForm whose submitted data is only what was submitted, as text.

    WTForms fills a field the submission left out from `obj` or the keyword values, which hold
    whatever the model holds (a question's `tags` are Tag rows, not the text the field expects),
    so a post without that field reached the validators with the wrong type. Here a submitted
    form reads the request alone: a missing field is empty, as HTML sends an empty one. Every
    field also refuses control characters before its own validators see the value.
    """

    def __init__(self, formdata=_FROM_REQUEST, **kwargs):
        if formdata is _FROM_REQUEST:
            formdata = _submitted_values() if self.is_submitted() else None
        if formdata is not None:
            kwargs = {key: kwargs[key] for key in ("prefix", "meta") if key in kwargs}
        super().__init__(formdata=formdata, **kwargs)
        for field in self:
            if field.type != "CSRFTokenField":
                field.validators = [_no_control_characters, *field.validators]


def _submitted_values() -> MultiDict:
    if request.files:
        return CombinedMultiDict((request.files, request.form))
    if request.form or not request.is_json:
        return request.form
    return _json_values()


def _json_values() -> ImmutableMultiDict:
    """A JSON body as form values: an object whose values are text or lists of text."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="Send the form as a JSON object whose values are text.")
    pairs = [
        (name, text)
        for name, value in body.items()
        for text in (value if isinstance(value, list) else [value])
    ]
    if not all(isinstance(text, str) for _, text in pairs):
        abort(400, description="Send the form as a JSON object whose values are text.")
    return ImmutableMultiDict(pairs)


def _no_control_characters(_form, field) -> None:
    multiline = isinstance(field.widget, TextArea)
    if any(
        isinstance(value, str) and has_control_characters(value, multiline=multiline)
        for value in field.raw_data or ()
    ):
        raise StopValidation(CONTROL_CHARACTER_MESSAGE)


def select_choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def email_field(label: str, missing: str, **kwargs) -> EmailField:
    """An email address field: required (saying `missing` when empty), well formed, and at
    most 254 characters (RFC 5321's limit)."""
    return EmailField(
        label,
        validators=[
            DataRequired(missing),
            Email("Enter an email address like name@example.com."),
            Length(max=254, message="An email address has at most 254 characters."),
        ],
        **kwargs,
    )
