from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.forms import Form


class EntryForm(Form):
    title = StringField(
        "Title",
        validators=[
            DataRequired("Give the entry a title."),
            Length(max=150, message="Keep it under 150 characters."),
        ],
    )
    body = TextAreaField(
        "What changed",
        validators=[
            DataRequired("Say what changed."),
            Length(max=20_000, message="Keep it under 20,000 characters."),
        ],
        description="Markdown.",
    )
    ideas = TextAreaField(
        "Ideas it ships",
        validators=[Length(max=5000, message="Keep the list under 5,000 characters.")],
        description="Idea numbers or links, one per line. Each moves to Shipped; its voters "
        "and followers, and the askers of its linked questions, hear of it.",
    )
