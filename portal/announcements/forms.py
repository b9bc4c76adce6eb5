from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import Form


class AnnouncementForm(Form):
    title = StringField(
        "Title",
        validators=[
            DataRequired("Give it a title."),
            Length(min=4, max=150, message="Use 4 to 150 characters."),
        ],
    )
    body = TextAreaField(
        "Announcement",
        validators=[
            DataRequired("Write the announcement."),
            Length(max=20000, message="Keep it under 20,000 characters."),
        ],
    )
    audience = SelectField("Who it is for", validate_choice=False)
    company = StringField(
        "Company",
        validators=[Optional(), Length(max=120, message="At most 120 characters.")],
        description="Only when it is for one company's members: as written on their profiles.",
    )
