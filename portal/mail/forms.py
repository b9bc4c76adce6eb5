from wtforms import BooleanField, SelectField

from portal.forms import Form, select_choices
from portal.notifications.preferences import TOPICS


class PreferencesForm(Form):
    """A choice per topic (fields named after the topics), and "pause all mail"."""

    mail_paused = BooleanField(
        "Pause all mail",
        description="Nothing but mail about your account (confirming an address, resetting a "
        "password) until you turn it back on. Notifications still show here.",
    )


for _topic in TOPICS:
    setattr(
        PreferencesForm,
        _topic.name,
        SelectField(
            _topic.label,
            choices=select_choices(
                (choice.value, _topic.label_of(choice)) for choice in _topic.choices
            ),
            validate_choice=True,
        ),
    )
