from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.events.forms import ZONES
from portal.forms import Form, select_choices
from portal.polls.models import RESULTS_AFTER


class PollForm(Form):
    title = StringField(
        "Question",
        validators=[
            DataRequired("Ask the poll's question."),
            Length(max=200, message="Keep it under 200 characters."),
        ],
    )
    options = TextAreaField(
        "Answers",
        validators=[
            DataRequired("Give the answers to choose from, one per line."),
            Length(max=2000, message="Keep the answers under 2,000 characters in all."),
        ],
        description="One per line: 2 to 10 answers.",
    )
    multiple = BooleanField("Members may choose several answers")
    results_after = SelectField(
        "Results show", choices=select_choices(RESULTS_AFTER.items()), default="voted"
    )
    closes = DateTimeLocalField(
        "Closes",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description="Leave empty to keep it open until you close it.",
    )
    time_zone = SelectField(
        "Time zone of the closing time",
        choices=select_choices((zone, zone.replace("_", " ")) for zone in ZONES),
        default="Europe/London",
    )
