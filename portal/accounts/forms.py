from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts.passwords import password_problem
from portal.forms import Form, email_field, select_choices

NAME_LIMITS = {"min": 2, "max": 60}
PASSWORD_LIMITS = {"min": 10, "max": 128}


def _strong_password(_form, field) -> None:
    if field.errors:  # the length rule already said what is wrong: say it once
        return
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class RegistrationForm(Form):
    display_name = StringField(
        "Display name",
        validators=[
            DataRequired("Enter the name others will see."),
            Length(message="Use 2 to 60 characters.", **NAME_LIMITS),
        ],
        description="Shown next to your posts. 2 to 60 characters.",
    )
    email = email_field("Email", "Enter your email address.")
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Choose a password."),
            Length(message="Use 10 to 128 characters.", **PASSWORD_LIMITS),
            _strong_password,
        ],
        description="At least 10 characters; a few words together make a strong one.",
    )
    accept_guidelines = BooleanField(
        "I have read and accept the community guidelines",
        validators=[DataRequired("You need to accept the community guidelines to join.")],
    )


class LoginForm(Form):
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message="An email address has at most 254 characters."),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password."),
            Length(max=128, message="A password has at most 128 characters."),
        ],
    )
    remember = BooleanField("Keep me logged in on this device")


class ProfileForm(Form):
    """What a member may change about themselves. Company and plan are a customer segment that
    weighs their votes in insights, so the team sets them (admin pages, imports), not the member."""

    display_name = RegistrationForm.display_name
    on_leaderboards = BooleanField(
        "Show me on the leaderboards",
        description="The month's top answerers. Your badges stay on your profile either way.",
    )


class PasswordChangeForm(Form):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password.")],
    )
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired("Choose a new password."),
            Length(message="Use 10 to 128 characters.", **PASSWORD_LIMITS),
            _strong_password,
        ],
        description="At least 10 characters. Changing it logs out your other sessions.",
    )
    confirm_password = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired("Repeat the new password."),
            EqualTo("new_password", "The two new passwords are not the same."),
        ],
    )


class ForgotPasswordForm(Form):
    email = email_field("Email", "Enter the email address you joined with.")


class ResetPasswordForm(Form):
    new_password = PasswordChangeForm.new_password
    confirm_password = PasswordChangeForm.confirm_password


class ApiTokenForm(Form):
    """A new personal access token; the scopes a person may give are set by the view."""

    name = StringField(
        "Token name",
        validators=[
            DataRequired("Give the token a name, to know later what uses it."),
            Length(max=80, message="Use at most 80 characters."),
        ],
        description="What will use it, such as “Helpdesk sync”.",
    )
    scopes = SelectMultipleField(
        "Scopes",
        choices=[],
        validate_choice=False,  # the service says which scopes a person may give
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    lifetime = SelectField(
        "Expires",
        choices=select_choices(
            [("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("never", "Never")]
        ),
        default="90",
    )
