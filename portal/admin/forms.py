from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FloatField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts.api_tokens import SCOPES
from portal.accounts.models import Role
from portal.forms import Form, email_field, select_choices
from portal.ideas.models import STATUS_COLOURS, STATUS_NAME_MAX, IdeaStatus
from portal.ideas.statuses import KIND_HINTS, KIND_NAMES
from portal.webhooks.services import EVENT_NAMES, FORMATS


class RoleForm(Form):
    role = SelectField("Role", choices=select_choices((role.value, role.label) for role in Role))


class SegmentForm(Form):
    company = StringField("Company", validators=[Optional(), Length(max=120)])
    plan = SelectField("Plan", coerce=str, validators=[Optional()])


class SuspendForm(Form):
    reason = StringField(
        "Reason (shown to the person)",
        validators=[
            DataRequired("Say why, so the person knows what to change."),
            Length(max=300, message="At most 300 characters."),
        ],
    )


class ProductAreaForm(Form):
    name = StringField(
        "Name",
        validators=[DataRequired("Give the product area a name."), Length(max=80)],
    )
    slug = StringField(
        "Slug",
        validators=[
            Optional(),
            Length(max=80),
            Regexp(r"^[a-z0-9-]+$", message="Lowercase letters, digits and hyphens only."),
        ],
        description="Used in links, e.g. /questions?area=billing. Made from the name if empty.",
    )
    description = TextAreaField(
        "Description", validators=[Optional(), Length(max=500, message="At most 500 characters.")]
    )


class PlanForm(Form):
    name = StringField("Name", validators=[DataRequired("Give the plan a name."), Length(max=60)])
    weight = FloatField(
        "Demand weight",
        default=1.0,
        validators=[
            DataRequired("Give a weight, e.g. 1 for free and 3 for enterprise."),
            NumberRange(min=0.1, max=100, message="Use a number from 0.1 to 100."),
        ],
        description="How much a vote from this plan counts in the insights demand score.",
    )


class IdeaStatusForm(Form):
    """Add (with a kind) or rename and recolour (kind hidden) an idea status."""

    kind = SelectField(
        "Kind",
        choices=select_choices(
            (kind.value, f"{KIND_NAMES[kind]} ({KIND_HINTS[kind]})")
            for kind in IdeaStatus.settable()
        ),
        description="What ideas of this status do. It cannot change later.",
    )
    name = StringField(
        "Name",
        validators=[
            DataRequired("Give the status a name."),
            Length(
                max=STATUS_NAME_MAX, message=f"Keep the name under {STATUS_NAME_MAX} characters."
            ),
        ],
    )
    colour = SelectField("Colour", choices=select_choices(STATUS_COLOURS.items()))


class BrandForm(Form):
    community_name = StringField(
        "Community name",
        validators=[DataRequired("Give the community a name."), Length(max=80)],
    )
    tagline = StringField("Tagline", validators=[Optional(), Length(max=200)])
    primary_color = StringField(
        "Primary colour",
        validators=[
            DataRequired("Pick a colour."),
            Regexp(r"^#[0-9a-fA-F]{6}$", message="Use a colour like #2457c5."),
        ],
        description="Buttons and links. Keep it dark enough for white text to stay readable.",
    )
    logo = FileField(
        "Logo",
        description="PNG, JPEG or WebP, at most 512 KB and 2,000 × 2,000 pixels "
        "(SVG is not accepted: it can carry scripts).",
    )


class GuidelinesForm(Form):
    guidelines = TextAreaField(
        "Guidelines (Markdown)",
        validators=[
            DataRequired("The guidelines cannot be empty: new members must accept something."),
            Length(max=20000, message="At most 20,000 characters."),
        ],
    )
    accept_again = BooleanField(
        "Ask every member to accept them again at their next visit",
        description="For a material change: members read the new guidelines before they go on.",
    )


class TestMailForm(Form):
    address = email_field("Send a test mail to", "Enter the address to send the test mail to.")


class WebhookForm(Form):
    url = StringField(
        "Endpoint URL",
        validators=[DataRequired("Give the address events are posted to."), Length(max=500)],
        description="An https:// address of your service, or a Slack incoming webhook URL.",
    )
    events = SelectMultipleField(
        "Events",
        choices=select_choices((name, name) for name in EVENT_NAMES),
        validators=[DataRequired("Choose at least one event.")],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    format = SelectField("Format", choices=select_choices(FORMATS.items()), default="json")


class ServiceTokenForm(Form):
    name = StringField(
        "Integration name",
        validators=[DataRequired("Name the integration."), Length(min=2, max=60)],
        description="Shown on what it posts, e.g. “Helpdesk”.",
    )
    role = SelectField(
        "Acts as",
        choices=select_choices(
            [("member", "Member"), ("staff", "Support staff"), ("product", "Product team")]
        ),
        default="member",
    )
    scopes = SelectMultipleField(
        "Scopes",
        choices=select_choices((scope, label) for scope, label in SCOPES.items()),
        validators=[DataRequired("Choose at least one scope.")],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class SsoProviderForm(Form):
    name = StringField(
        "Name",
        validators=[Optional(), Length(max=40)],
        description="In the sign-in address, /login/sso/<name>: letters, digits, hyphens.",
    )
    label = StringField(
        "Button label",
        validators=[DataRequired("Say what members sign in with."), Length(max=60)],
        description="The button reads “Sign in with <label>”.",
    )
    issuer = StringField(
        "Issuer", validators=[DataRequired("Give the issuer's address."), Length(max=300)]
    )
    client_id = StringField(
        "Client id", validators=[DataRequired("Give the client id."), Length(max=200)]
    )
    client_secret = PasswordField(
        "Client secret",
        validators=[Optional(), Length(max=300)],
        description="Never shown again. Leave empty to keep the one stored.",
    )
    company_claim = StringField("Claim for the company", validators=[Optional(), Length(max=60)])
    plan_claim = StringField("Claim for the plan", validators=[Optional(), Length(max=60)])
