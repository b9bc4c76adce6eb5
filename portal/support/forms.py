import re

from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.forms import Form
from portal.inputs import typed_id
from portal.support.services import MAX_TAGS
from portal.taxonomy.services import parse_tags

TITLE_LIMITS = {"min": 15, "max": 200}
BODY_LIMITS = {"min": 20, "max": 30_000}
COMMENT_LIMITS = {"min": 15, "max": 600}


def _tag_list(_form, field) -> None:
    if len(parse_tags(field.data or "")) > MAX_TAGS:
        raise ValidationError(f"Use at most {MAX_TAGS} tags.")


def _body_field(label: str, what: str, description: str | None = None) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            DataRequired(f"Write your {what}."),
            Length(message="Use 20 to 30,000 characters.", **BODY_LIMITS),
        ],
        description=description,
    )


class QuestionForm(Form):
    title = StringField(
        "Title",
        validators=[
            DataRequired("Give your question a title."),
            Length(message="Use 15 to 200 characters.", **TITLE_LIMITS),
        ],
        description="Be specific, as if you were asking a colleague: "
        "“Invoices show the wrong VAT number after changing my billing country”.",
    )
    body = _body_field(
        "Details",
        "question",
        "What are you trying to do, what did you expect, what happened instead? "
        "Include error messages and steps.",
    )
    area = SelectField(
        "Product area", validators=[DataRequired("Choose the product area it is about.")]
    )
    tags = StringField(
        "Tags",
        validators=[_tag_list],
        description=f"Up to {MAX_TAGS}, separated by commas or spaces, e.g. “sso, saml”.",
        render_kw={"autocomplete": "off", "data-tag-input": ""},
    )
    form_token = HiddenField()

    @property
    def tag_names(self) -> list[str]:
        return parse_tags(self.tags.data or "")


class AnswerForm(Form):
    body = _body_field("Your answer", "answer")


class CommentForm(Form):
    body = TextAreaField(
        "Comment",
        validators=[
            DataRequired("Write your comment."),
            Length(message="Use 15 to 600 characters.", **COMMENT_LIMITS),
        ],
        render_kw={"rows": 2, "maxlength": COMMENT_LIMITS["max"]},
    )


class CloseForm(Form):
    duplicate_of = StringField(
        "Duplicate of",
        validators=[DataRequired("Enter the number or link of the original question.")],
        description="The original question’s number (e.g. 42) or its address.",
    )

    @property
    def original_id(self) -> int | None:
        match = re.search(r"(?:questions/)?(\d+)", self.duplicate_of.data or "")
        return typed_id(match.group(1)) if match else None
