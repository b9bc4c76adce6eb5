import re

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.forms import Form
from portal.inputs import typed_id

TITLE_LIMITS = {"min": 8, "max": 150}
BODY_MAX = 20_000
NOTE_MAX = 2_000


class IdeaForm(Form):
    title = StringField(
        "Title",
        validators=[
            DataRequired("Give your idea a short title."),
            Length(
                message="Use 8 to 150 characters: a short sentence says what you need.",
                **TITLE_LIMITS,
            ),
        ],
        description="One sentence that says what you need, e.g. “Export reports to Excel”.",
    )
    description = TextAreaField(
        "Description",
        validators=[
            Optional(),
            Length(max=BODY_MAX, message=f"Keep it under {BODY_MAX:,} characters."),
        ],
        description="What are you trying to do, and what gets in the way today?",
    )
    area = SelectField("Product area", validators=[Optional()])


class CommentForm(Form):
    body = TextAreaField(
        "Add a comment",
        validators=[
            DataRequired("Write something before posting."),
            Length(max=10_000, message="Keep comments under 10,000 characters."),
        ],
    )


class StatusForm(Form):
    status = SelectField("New status", validators=[DataRequired("Choose a status.")])
    note = TextAreaField(
        "Public note",
        validators=[
            Optional(),
            Length(max=NOTE_MAX, message=f"Keep the note under {NOTE_MAX:,} characters."),
        ],
        description="Voters and followers get this in their notification. Required for Declined.",
    )


_IDEA_REFERENCE = re.compile(r"(?:^#?(\d+)$)|(?:/ideas/(\d+)(?:[/?#].*)?$)")


class MergeForm(Form):
    target = StringField(
        "Merge into idea",
        validators=[DataRequired("Enter the number or link of the idea to merge into.")],
        description="The idea’s number (e.g. #42) or its link.",
    )
    note = TextAreaField(
        "Note for voters",
        validators=[Optional(), Length(max=NOTE_MAX)],
        description="Optional. Voters of this idea are told it was merged.",
    )

    def validate_target(self, field) -> None:
        match = _IDEA_REFERENCE.search((field.data or "").strip())
        if not match:
            raise ValidationError("Enter an idea number like #42, or paste the idea’s link.")
        self.target_id = typed_id(match.group(1) or match.group(2))
        if self.target_id is None:
            raise ValidationError("There is no idea with that number.")


class BehalfForm(Form):
    customer = StringField(
        "Customer",
        validators=[
            DataRequired("Enter the customer’s name or email."),
            Length(max=254),
        ],
        description="Their display name or email address.",
    )
