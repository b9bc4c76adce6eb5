from zoneinfo import available_timezones

from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from portal.events.models import AMA, EVENT, RESPONSES
from portal.forms import Form, select_choices
from portal.support.forms import BODY_LIMITS, TITLE_LIMITS

ZONES = sorted(zone for zone in available_timezones() if "/" in zone and not zone.startswith("Etc"))


class EventForm(Form):
    kind = SelectField(
        "Kind",
        choices=select_choices([(EVENT, "Event"), (AMA, "Ask-Me-Anything session")]),
        default=EVENT,
    )
    title = StringField(
        "Title",
        validators=[
            DataRequired("Give it a title."),
            Length(min=4, max=150, message="Use 4 to 150 characters."),
        ],
    )
    body = TextAreaField(
        "Description",
        validators=[
            DataRequired("Say what it is about."),
            Length(max=20000, message="Keep it under 20,000 characters."),
        ],
    )
    starts = DateTimeLocalField(
        "Starts",
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired("When does it start? Use the date and time fields.")],
    )
    ends = DateTimeLocalField(
        "Ends",
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired("When does it end? Use the date and time fields.")],
    )
    time_zone = SelectField(
        "Time zone",
        choices=select_choices((zone, zone.replace("_", " ")) for zone in ZONES),
        default="Europe/London",
        description="The start and end are in this zone; each member also sees their own.",
    )
    location = StringField(
        "Place",
        validators=[Optional(), Length(max=200, message="At most 200 characters.")],
        description="Where to come, for an event in person.",
    )
    online_url = StringField(
        "Online link",
        validators=[
            Optional(),
            Length(max=500, message="At most 500 characters."),
            URL(require_tld=False, message="Enter a full link, starting with https://."),
        ],
    )
    area = SelectField("Product area", validate_choice=False)
    capacity = IntegerField(
        "Capacity",
        validators=[Optional(), NumberRange(1, 100_000, "From 1 to 100,000.")],
        description="Leave empty for no limit. Past it, members join a waitlist.",
    )


class ResponseForm(Form):
    response = RadioField("Your answer", choices=select_choices(RESPONSES.items()))


class EventQuestionForm(Form):
    title = StringField(
        "Your question",
        validators=[
            DataRequired("Write your question."),
            Length(message="Use 15 to 200 characters.", **TITLE_LIMITS),
        ],
    )
    body = TextAreaField(
        "Details",
        validators=[
            DataRequired("Add a sentence or two of context."),
            Length(message="Use 20 to 30,000 characters.", **BODY_LIMITS),
        ],
    )
