from wtforms import HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.forms import Form, select_choices
from portal.inputs import MAX_ID
from portal.moderation.models import REASONS
from portal.moderation.queries import LOG_ACTIONS
from portal.moderation.services import NOTE_LIMIT, PERIODS
from portal.moderation.trust import LEVELS


class FlagForm(Form):
    kind = HiddenField(validators=[DataRequired()])
    post_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])
    reason = RadioField(
        "Why?",
        choices=select_choices(REASONS.items()),
        validators=[DataRequired(message="Choose why you are flagging this.")],
    )
    note = TextAreaField(
        "Note for the moderators",
        validators=[Optional(), Length(max=NOTE_LIMIT)],
        description="For a duplicate, a link to the original; otherwise anything that helps.",
    )


class RetractForm(Form):
    kind = HiddenField(validators=[DataRequired()])
    post_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])


class DecisionForm(Form):
    reason = TextAreaField(
        "Reason (the author reads it)", validators=[Optional(), Length(max=NOTE_LIMIT)]
    )


class LogFilterForm(Form):
    action = SelectField(
        "Action",
        choices=select_choices(
            [("", "Any action"), *((a, a.replace("_", " ")) for a in LOG_ACTIONS)]
        ),
        validators=[Optional()],
    )


class TrustLevelForm(Form):
    level = SelectField(
        "Trust level",
        choices=select_choices(
            [("earned", "As earned (unlock)"), *((str(n), name) for n, name in enumerate(LEVELS))]
        ),
        validators=[DataRequired(message="Choose a trust level.")],
    )
    reason = TextAreaField("Reason (for the log)", validators=[Optional(), Length(max=NOTE_LIMIT)])


class WarnForm(Form):
    guideline = SelectField(
        "Guideline broken", validators=[DataRequired(message="Choose the guideline.")]
    )
    message = TextAreaField(
        "Message (the member reads it)", validators=[Optional(), Length(max=NOTE_LIMIT)]
    )


class SuspendForm(Form):
    period = SelectField(
        "How long",
        choices=select_choices((key, label.capitalize()) for key, (_, label) in PERIODS.items()),
        validators=[DataRequired(message="Choose how long.")],
    )
    reason = TextAreaField(
        "Reason (the member reads it)",
        validators=[
            DataRequired(message="Say why, so the member knows what to change."),
            Length(max=300),
        ],
    )


class AppealForm(Form):
    kind = HiddenField(validators=[DataRequired()])
    post_id = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    appeal = TextAreaField(
        "Why should the moderators look again?",
        validators=[
            DataRequired(message="Say why the moderators should look again."),
            Length(max=NOTE_LIMIT),
        ],
    )
