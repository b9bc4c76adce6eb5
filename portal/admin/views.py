from collections.abc import Callable
from itertools import groupby

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from portal.accounts.api_tokens import all_tokens, create_service_token, revoke_token
from portal.accounts.models import ApiToken, Plan, Role, SsoProvider, User
from portal.accounts.oidc import save_provider
from portal.accounts.permissions import Permission, can
from portal.accounts.services import (
    all_plans,
    change_role,
    confirm_for_member,
    resend_confirmation,
    search_users,
    set_segment,
    suspend_user,
    unsuspend_user,
)
from portal.admin import bp
from portal.admin.forms import (
    BrandForm,
    GuidelinesForm,
    IdeaStatusForm,
    PlanForm,
    ProductAreaForm,
    RoleForm,
    SegmentForm,
    ServiceTokenForm,
    SsoProviderForm,
    SuspendForm,
    TestMailForm,
    WebhookForm,
)
from portal.admin.services import save_plan
from portal.csrf import form_view
from portal.extensions import db
from portal.forms import select_choices
from portal.ideas.models import IdeaStatus, IdeaStatusOption
from portal.ideas.queries import ideas_per_status
from portal.ideas.services import move_status_option, remove_status_option, save_status_option
from portal.ideas.statuses import KIND_NAMES, status_options, status_table
from portal.mail.queries import delivery_log, mail_figures, mail_settings
from portal.mail.services import send_test_mail
from portal.pagination import paginate
from portal.public_url import public_url
from portal.site.logo import LOGO_MAX_BYTES
from portal.site.services import (
    get_settings,
    remove_logo,
    store_logo,
    update_brand,
    update_guidelines,
)
from portal.taxonomy.models import ProductArea
from portal.taxonomy.services import all_areas, save_area
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from portal.webhooks.queries import recent_deliveries, webhook_endpoints
from portal.webhooks.services import create_endpoint, redeliver
from portal.webhooks.services import disable as disable_endpoint
from portal.webhooks.services import enable as enable_endpoint
from portal.writes import REFUSED, write


@bp.get("")
def index():
    if can(current_user, Permission.ADMINISTER):
        return redirect(url_for(".users"))
    return redirect(url_for(".guidelines"))


# People ---------------------------------------------------------------------------------------


@bp.get("/users")
def users():
    query = request.args.get("q", "")[:200]
    page = paginate(search_users(query), per_page=30)
    return render_template("admin/users.html", page=page, query=query)


def _user_forms(user: User):
    """The page's forms showing the person as they are (not what a failed post sent)."""
    role_form = RoleForm(formdata=None, prefix="role", role=user.role)
    segment_form = SegmentForm(
        formdata=None,
        prefix="segment",
        company=user.company,
        plan=user.plan.slug if user.plan else "",
    )
    segment_form.plan.choices = select_choices(
        [("", "Not set")] + [(p.slug, p.name) for p in all_plans()]
    )
    return role_form, segment_form, SuspendForm(formdata=None, prefix="suspend")


def _render_user(user: User, role_form=None, segment_form=None, suspend_form=None):
    defaults = _user_forms(user)
    return render_template(
        "admin/user.html",
        user=user,
        role_form=role_form or defaults[0],
        segment_form=segment_form or defaults[1],
        suspend_form=suspend_form or defaults[2],
    )


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    return _render_user(db.get_or_404(User, user_id))


@bp.post("/users/<int:user_id>/role")
@form_view
def user_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm(prefix="role")
    if form.validate_on_submit() and (
        write(
            lambda: change_role(user, Role(form.role.data), by=current_user),
            form=form,
            field="role",
        )
        is not REFUSED
    ):
        flash(f"{user.display_name} is now {Role(user.role).label}.", "success")
        return redirect(url_for(".user", user_id=user.id))
    return _render_user(user, role_form=form), 400


@bp.post("/users/<int:user_id>/segment")
@form_view
def user_segment(user_id: int):
    user = db.get_or_404(User, user_id)
    _, form, _ = _user_forms(user)
    form.process(formdata=request.form)
    if form.validate_on_submit():
        plan = db.session.execute(
            db.select(Plan).where(Plan.slug == form.plan.data)
        ).scalar_one_or_none()
        write(lambda: set_segment(user, company=form.company.data, plan=plan))
        flash("Customer segment saved.", "success")
        return redirect(url_for(".user", user_id=user.id))
    return _render_user(user, segment_form=form), 400


@bp.post("/users/<int:user_id>/suspend")
@form_view
def user_suspend(user_id: int):
    user = db.get_or_404(User, user_id)
    form = SuspendForm(prefix="suspend")
    if form.validate_on_submit() and (
        write(
            lambda: suspend_user(user, reason=form.reason.data, by=current_user),
            form=form,
            field="reason",
        )
        is not REFUSED
    ):
        flash(f"{user.display_name} is suspended: they can read but not post or vote.", "info")
        return redirect(url_for(".user", user_id=user.id))
    return _render_user(user, suspend_form=form), 400


def _act_on_person(user_id: int, act: Callable[[User], str]):
    """Run `act` (a service call returning what to tell the admin) and come back to the
    person's page, with the refusal as the message when the rules refuse."""
    user = db.get_or_404(User, user_id)
    back = url_for(".user", user_id=user.id)
    flash(write(lambda: act(user), back=back), "success")
    return redirect(back)


@bp.post("/users/<int:user_id>/confirmation")
def user_resend_confirmation(user_id: int):
    def resend(user: User) -> str:
        resend_confirmation(user)
        return f"A new confirmation link is on its way to {user.email}."

    return _act_on_person(user_id, resend)


@bp.post("/users/<int:user_id>/confirm")
def user_confirm(user_id: int):
    def confirm(user: User) -> str:
        confirm_for_member(user, by=current_user)
        return f"{user.display_name}’s address is confirmed: they can log in."

    return _act_on_person(user_id, confirm)


@bp.post("/users/<int:user_id>/unsuspend")
def user_unsuspend(user_id: int):
    user = db.get_or_404(User, user_id)
    back = url_for(".user", user_id=user.id)
    write(lambda: unsuspend_user(user, by=current_user), back=back)
    flash(f"{user.display_name} can post and vote again.", "success")
    return redirect(back)


# Product areas --------------------------------------------------------------------------------


def _save_area_form(form: ProductAreaForm, area: ProductArea | None = None):
    """Validate and save an area form (new when `area` is None): a redirect, or None to show
    the form again with its errors."""
    if not form.validate_on_submit():
        return None
    saved = write(
        lambda: save_area(
            area, name=form.name.data, slug=form.slug.data, description=form.description.data or ""
        ),
        form=form,
        field="name",
    )
    if saved is REFUSED:
        return None
    flash(f"Product area “{saved.name}” saved.", "success")
    return redirect(url_for(".areas"))


@bp.route("/areas", methods=["GET", "POST"])
@form_view
def areas():
    form = ProductAreaForm()
    done = _save_area_form(form)
    return done or render_template("admin/areas.html", form=form, areas=all_areas())


@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
@form_view
def area(area_id: int):
    area = db.get_or_404(ProductArea, area_id)
    form = ProductAreaForm(obj=area)
    return _save_area_form(form, area) or render_template("admin/area.html", form=form, area=area)


# Plans ----------------------------------------------------------------------------------------


def _save_plan_form(form: PlanForm, plan: Plan | None = None):
    """Validate and save a plan form (new when `plan` is None): a redirect, or None."""
    if not form.validate_on_submit():
        return None
    saved = write(
        lambda: save_plan(plan, name=form.name.data, weight=form.weight.data),
        form=form,
        field="name",
    )
    if saved is REFUSED:
        return None
    flash(f"Plan “{saved.name}” saved.", "success")
    return redirect(url_for(".plans"))


@bp.route("/plans", methods=["GET", "POST"])
@form_view
def plans():
    form = PlanForm()
    return _save_plan_form(form) or render_template(
        "admin/plans.html", form=form, plans=all_plans()
    )


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
@form_view
def plan(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    form = PlanForm(obj=plan)
    return _save_plan_form(form, plan) or render_template("admin/plan.html", form=form, plan=plan)


# Idea statuses --------------------------------------------------------------------------------


def _save_status_form(form: IdeaStatusForm, option: IdeaStatusOption | None = None):
    """Validate and save a status form (new when `option` is None): a redirect, or None to
    show the form again with its errors."""
    if not form.validate_on_submit():
        return None
    saved = write(
        lambda: save_status_option(
            option,
            kind=option.kind if option else form.kind.data,
            name=form.name.data,
            colour=form.colour.data,
            by=current_user,
        ),
        form=form,
    )
    if saved is REFUSED:
        return None
    done = "saved" if option else "added; the team can choose it now"
    flash(f"Status “{saved.name}” {done}.", "success")
    return redirect(url_for(".idea_statuses"))


@bp.route("/statuses", methods=["GET", "POST"])
@form_view
def idea_statuses():
    form = IdeaStatusForm()
    return _save_status_form(form) or render_template(
        "admin/statuses.html",
        form=form,
        groups=[
            (KIND_NAMES[kind], list(statuses))
            for kind, statuses in groupby(status_options(), key=lambda status: status.kind)
        ],
        counts=ideas_per_status(),
    )


@bp.route("/statuses/<int:option_id>", methods=["GET", "POST"])
@form_view
def idea_status(option_id: int):
    option = db.get_or_404(IdeaStatusOption, option_id)
    form = IdeaStatusForm(obj=option)
    del form.kind  # a status keeps its kind
    return _save_status_form(form, option) or render_template(
        "admin/status.html", form=form, option=option, kind=KIND_NAMES[IdeaStatus(option.kind)]
    )


@bp.post("/statuses/<int:option_id>/move")
def idea_status_move(option_id: int):
    option = db.get_or_404(IdeaStatusOption, option_id)
    step = 1 if request.form.get("direction") == "down" else -1
    write(lambda: move_status_option(option, step, by=current_user), back=url_for(".idea_statuses"))
    return redirect(url_for(".idea_statuses", _anchor=f"status-{option.id}"))


@bp.post("/statuses/<int:option_id>/remove")
def idea_status_remove(option_id: int):
    option = db.get_or_404(IdeaStatusOption, option_id)
    name = option.name
    default = status_table().defaults[IdeaStatus(option.kind)].name
    moved = write(
        lambda: remove_status_option(option, by=current_user), back=url_for(".idea_statuses")
    )
    ideas = "1 idea" if moved == 1 else f"{moved:,} ideas"
    flash(f"Status “{name}” removed; {ideas} now show “{default}”.", "success")
    return redirect(url_for(".idea_statuses"))


# Brand and guidelines -------------------------------------------------------------------------


@bp.route("/brand", methods=["GET", "POST"])
@form_view
def brand():
    settings = get_settings()
    form = BrandForm(obj=settings)
    if form.validate_on_submit():

        def save():
            update_brand(
                community_name=form.community_name.data,
                tagline=form.tagline.data or "",
                primary_color=form.primary_color.data,
            )
            upload = form.logo.data
            if upload and upload.filename:
                store_logo(upload.read(LOGO_MAX_BYTES + 1))  # enough to tell it is too big

        if write(save, form=form) is not REFUSED:
            flash("Brand settings saved; every page uses them now.", "success")
            return redirect(url_for(".brand"))
    return render_template("admin/brand.html", form=form, settings=settings)


@bp.post("/brand/logo/remove")
def brand_logo_remove():
    write(remove_logo)
    flash("Logo removed; the community name is shown instead.", "info")
    return redirect(url_for(".brand"))


@bp.route("/guidelines", methods=["GET", "POST"])
@form_view
def guidelines():
    settings = get_settings()
    form = GuidelinesForm(guidelines=settings.guidelines_markdown)
    if form.validate_on_submit():
        write(
            lambda: update_guidelines(
                form.guidelines.data, by=current_user, accept_again=form.accept_again.data
            )
        )
        if form.accept_again.data:
            flash("Guidelines published; members accept them again at their next visit.", "success")
        else:
            flash("Guidelines published.", "success")
        return redirect(url_for("main.guidelines"))
    return render_template("admin/guidelines.html", form=form)


# Mail -----------------------------------------------------------------------------------------


@bp.route("/mail", methods=["GET", "POST"])
@form_view
def mail():
    form = TestMailForm(address=current_user.email)
    outcome = None
    if form.validate_on_submit():
        outcome = send_test_mail(form.address.data)
    query = request.args.get("q", "")[:254]
    return render_template(
        "admin/mail.html",
        figures=mail_figures(),
        page=paginate(delivery_log(query), per_page=30),
        query=query,
        settings=mail_settings(),
        form=form,
        outcome=outcome,
    )


# Webhooks -------------------------------------------------------------------------------------

NEW_WEBHOOK_SECRET = "new_webhook_secret"


@bp.route("/webhooks", methods=["GET", "POST"])
@form_view
def webhooks():
    form = WebhookForm()
    if form.validate_on_submit():
        made = write(
            lambda: create_endpoint(form.url.data, form.events.data, form.format.data), form=form
        )
        if made is not REFUSED:
            endpoint, secret = made
            session[NEW_WEBHOOK_SECRET] = secret  # shown once, by the endpoint's page
            return redirect(url_for(".webhook", endpoint_id=endpoint.id))
    return render_template("admin/webhooks.html", form=form, endpoints=webhook_endpoints())


@bp.get("/webhooks/<int:endpoint_id>")
def webhook(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    response = make_response(
        render_template(
            "admin/webhook.html",
            endpoint=endpoint,
            deliveries=recent_deliveries(endpoint),
            secret=session.pop(NEW_WEBHOOK_SECRET, None),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/webhooks/<int:endpoint_id>/state")
def webhook_state(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    back = url_for(".webhook", endpoint_id=endpoint.id)
    if endpoint.disabled_at is None:
        write(lambda: disable_endpoint(endpoint, "Turned off by an admin."), back=back)
        flash("The webhook is off: events wait for it until it is on again.", "success")
    else:
        write(lambda: enable_endpoint(endpoint), back=back)
        flash("The webhook is on again; waiting deliveries go out now.", "success")
    return redirect(back)


@bp.post("/webhooks/<int:endpoint_id>/delete")
def webhook_delete(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    write(lambda: db.session.delete(endpoint))
    flash("The webhook and its delivery log are deleted.", "success")
    return redirect(url_for(".webhooks"))


@bp.post("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver")
def webhook_redeliver(endpoint_id: int, delivery_id: int):
    delivery = db.get_or_404(WebhookDelivery, delivery_id)
    if delivery.endpoint_id != endpoint_id:
        abort(404)
    back = url_for(".webhook", endpoint_id=endpoint_id)
    write(lambda: redeliver(delivery), back=back)
    flash("Queued again: the worker sends it within seconds.", "success")
    return redirect(back)


# API tokens -----------------------------------------------------------------------------------

NEW_SERVICE_TOKEN = "new_service_token"


@bp.route("/tokens", methods=["GET", "POST"])
@form_view
def tokens():
    form = ServiceTokenForm()
    if not form.is_submitted():
        form.scopes.data = ["read"]
    if form.validate_on_submit():
        made = write(
            lambda: create_service_token(
                name=form.name.data, role=form.role.data, scopes=form.scopes.data
            ),
            form=form,
        )
        if made is not REFUSED:
            session[NEW_SERVICE_TOKEN] = made[1]
            return redirect(url_for(".tokens"))
    secret = session.pop(NEW_SERVICE_TOKEN, None) if request.method == "GET" else None
    response = make_response(
        render_template("admin/tokens.html", form=form, tokens=all_tokens(), secret=secret)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token_of_anyone(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    back = url_for(".tokens")
    write(lambda: revoke_token(token, current_user), back=back)
    flash(f"The token “{token.name}” of {token.user.display_name} is revoked.", "success")
    return redirect(back)


# Sign-in providers ----------------------------------------------------------------------------


@bp.route("/sso", methods=["GET", "POST"])
@form_view
def sso_providers():
    form = SsoProviderForm()
    if form.validate_on_submit():
        saved = write(lambda: save_provider(None, **form.data), form=form)
        if saved is not REFUSED:
            flash(f"Members can now sign in with {saved.label}.", "success")
            return redirect(url_for(".sso_providers"))
    return render_template(
        "admin/sso.html",
        form=form,
        configured=current_app.config["OIDC_PROVIDERS"],
        added=db.session.scalars(db.select(SsoProvider).order_by(SsoProvider.id)).all(),
        callback=lambda name: public_url("accounts.sso_callback", name=name),
    )


@bp.route("/sso/<int:provider_id>", methods=["GET", "POST"])
@form_view
def sso_provider(provider_id: int):
    provider = db.get_or_404(SsoProvider, provider_id)
    form = SsoProviderForm(obj=provider) if request.method == "GET" else SsoProviderForm()
    form.client_secret.data = "" if request.method == "GET" else form.client_secret.data
    if form.validate_on_submit():
        saved = write(lambda: save_provider(provider, **form.data), form=form)
        if saved is not REFUSED:
            flash("Saved.", "success")
            return redirect(url_for(".sso_providers"))
    return render_template("admin/sso_provider.html", form=form, provider=provider)


@bp.post("/sso/<int:provider_id>/delete")
def sso_provider_delete(provider_id: int):
    provider = db.get_or_404(SsoProvider, provider_id)
    write(lambda: db.session.delete(provider))
    flash(f"{provider.label} removed: members who used it sign in another way.", "success")
    return redirect(url_for(".sso_providers"))
