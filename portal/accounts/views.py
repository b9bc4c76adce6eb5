import time

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
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import bp, oidc
from portal.accounts.api_tokens import create_token, revoke_token, scopes_offered, tokens_of
from portal.accounts.forms import (
    ApiTokenForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
)
from portal.accounts.models import ApiToken, ExternalIdentity, Role, User
from portal.accounts.permissions import Permission, can, require
from portal.accounts.profiles import recent_activity
from portal.accounts.services import (
    authenticate,
    change_password,
    confirm_email,
    normalise_email,
    request_membership,
    request_password_reset,
    send_confirmation,
    update_profile,
)
from portal.accounts.services import reset_password as set_new_password
from portal.accounts.sessions import end_session, start_session
from portal.accounts.tokens import BadToken, read_token
from portal.csrf import form_view
from portal.extensions import db, limiter
from portal.forms import honeypot_filled, select_choices
from portal.moderation.forms import TrustLevelForm
from portal.moderation.trust import LEVELS, progress
from portal.public_url import public_url
from portal.redirects import safe_url
from portal.writes import REFUSED, write

LOGIN_LIMIT = "10 per minute;50 per hour"
REGISTER_LIMIT = "10 per hour"
NEW_TOKEN_KEY = "new_api_token"
# Confirming signs in only the browser that asked for the link, this long after asking.
CONFIRM_SIGN_IN_SECONDS = 15 * 60
CONFIRM_PROBLEMS = {
    "used": "That confirmation link was already used: your email address is confirmed. "
    "Log in to continue.",
    "expired": "That confirmation link has expired. Log in to get a new one.",
    "invalid": "That confirmation link is not valid. Log in to get a new one.",
}
RESET_PROBLEMS = {
    "used": "That reset link was already used. Ask for a new one if you need it.",
    "expired": "That reset link has expired. Ask for a new one.",
    "invalid": "That reset link is not valid. Ask for a new one.",
}


def _next_url() -> str:
    return safe_url(request.values.get("next"), fallback=url_for("main.home"))


def _sign_in(user: User, *, remember: bool = False) -> None:
    """A new login session for this browser, its key in the cookie; the view commits. A
    session the browser held before (a reset link opened while signed in) ends."""
    if current_user.is_authenticated:
        end_session(current_user.get_id())
    start_session(user, request.user_agent.string)
    login_user(user, remember=remember)


def _remembered() -> bool:
    """Whether this browser keeps a remember-me cookie, to keep it when its session is renewed."""
    return current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies


def _await_confirmation(email: str) -> None:
    """Remember in this browser's session that it asked for a confirmation link, and when."""
    session["pending_email"] = email
    session["pending_since"] = time.time()


def _asked_here_recently(user: User) -> bool:
    """Whether this browser asked for the user's confirmation link minutes ago (registering,
    or logging in unconfirmed). The link alone must not sign anyone in: it travels by mail and
    may be opened anywhere."""
    email, since = session.pop("pending_email", None), session.pop("pending_since", None)
    return (
        email == user.email
        and isinstance(since, float)
        and 0 <= time.time() - since <= CONFIRM_SIGN_IN_SECONDS
    )


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
@form_view
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        if honeypot_filled():
            # A bot filled the field people never see: it is told what a person would be,
            # and nothing is made or mailed.
            return redirect(url_for(".check_email"))
        write(
            lambda: request_membership(
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
            )
        )
        _await_confirmation(normalise_email(form.email.data))
        return redirect(url_for(".check_email"))
    return render_template("accounts/register.html", form=form)


@bp.get("/register/check-email")
def check_email():
    return render_template("accounts/check_email.html", email=session.get("pending_email"))


@bp.get("/confirm/<token>")
def confirm(token: str):
    try:
        user = read_token(token, "confirm-email")
    except BadToken as error:
        flash(CONFIRM_PROBLEMS[error.reason], "warning")
        return redirect(url_for(".login"))
    if not confirm_email(user):  # spent by a click at the same moment
        flash(CONFIRM_PROBLEMS["used"], "warning")
        return redirect(url_for(".login"))
    if not _asked_here_recently(user):
        db.session.commit()
        flash("Your email address is confirmed. Log in to continue.", "success")
        return redirect(url_for(".login"))
    _sign_in(user)
    db.session.commit()
    flash(
        f"Welcome, {user.display_name}! Your email is confirmed and your account is ready.",
        "success",
    )
    return redirect(url_for("main.home"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
@form_view
def login():
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = LoginForm()
    sso_only = current_app.config["SSO_ONLY"] and bool(oidc.providers())
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("The email or password is not correct.")
        elif sso_only and user.role != Role.ADMIN:
            # Members sign in through the provider; only admins keep a password (break glass).
            form.password.errors.append("Sign in with your company account, with the button.")
        elif not user.email_confirmed:
            write(lambda: send_confirmation(user))
            _await_confirmation(user.email)
            return redirect(url_for(".check_email"))
        else:
            # The session, and a password hashed again with today's parameters.
            write(lambda: _sign_in(user, remember=form.remember.data))
            flash(f"Welcome back, {user.display_name}.", "success")
            return redirect(_next_url())
    return render_template(
        "accounts/login.html",
        form=form,
        providers=oidc.providers(),
        password_form_shown=not sso_only or request.args.get("admin") == "1" or form.errors,
    )


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        write(lambda: end_session(current_user.get_id()))
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("main.home"))


@bp.get("/users/<int:user_id>")
def profile(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.email is None and not user.is_imported:
        abort(404)
    is_me = current_user.is_authenticated and user.id == current_user.id
    moderator = can(current_user, Permission.MODERATE)
    return render_template(
        "accounts/profile.html",
        user=user,
        activity=recent_activity(user, sees_withheld=is_me or moderator),
        is_me=is_me,
        # What the next level needs: for the member and the moderators, no one else.
        trust=progress(user) if is_me or moderator else None,
        trust_form=TrustLevelForm(formdata=None),
        levels=LEVELS,
    )


@bp.route("/settings", methods=["GET", "POST"])
@login_required
@form_view
def settings():
    if request.method == "POST":
        require(Permission.EDIT_OWN_PROFILE)  # reading one's settings stays open when suspended
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        write(
            lambda: update_profile(
                current_user,
                display_name=form.display_name.data,
                on_leaderboards=form.on_leaderboards.data,
            )
        )
        flash("Your profile is saved.", "success")
        return redirect(url_for(".settings"))
    return render_template(
        "accounts/settings.html",
        form=form,
        password_form=PasswordChangeForm(prefix="pw"),
        sso_providers=oidc.providers(),
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
@form_view
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        write(lambda: request_password_reset(form.email.data))
        return render_template("accounts/reset_sent.html", email=normalise_email(form.email.data))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
@form_view
def reset_password(token: str):
    try:
        user = read_token(token, "reset-password")
    except BadToken as error:
        flash(RESET_PROBLEMS[error.reason], "warning")
        return redirect(url_for(".forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():

        def reset():
            set_new_password(user, form.new_password.data)
            _sign_in(user, remember=_remembered())

        write(reset)
        flash("Your new password is set and you are logged in.", "success")
        return redirect(url_for("main.home"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
@form_view
def password():
    form = PasswordChangeForm(prefix="pw")
    if form.validate_on_submit():

        def change():
            change_password(
                current_user, current=form.current_password.data, new=form.new_password.data
            )
            # This browser's session ended with the others: it gets a new one.
            _sign_in(current_user._get_current_object(), remember=_remembered())

        if write(change, form=form, field="current_password") is not REFUSED:
            flash("Your password is changed. Other sessions are logged out.", "success")
            return redirect(url_for(".settings"))
    return render_template("accounts/password.html", password_form=form)


@bp.route("/settings/tokens", methods=["GET", "POST"])
@login_required
@form_view
def api_tokens():
    if request.method == "POST":
        require(Permission.EDIT_OWN_PROFILE)  # a suspended member may still see and revoke
    form = ApiTokenForm()
    form.scopes.choices = select_choices(scopes_offered(current_user).items())
    if not form.is_submitted():
        form.scopes.data = ["read"]
    if form.validate_on_submit():
        made = write(
            lambda: create_token(
                current_user,
                name=form.name.data,
                scopes=form.scopes.data or [],
                lifetime=form.lifetime.data,
            ),
            form=form,
        )
        if made is not REFUSED:
            # Shown by the page the browser is sent to, once: reloading it makes no new token.
            session[NEW_TOKEN_KEY] = made[1]
            return redirect(url_for(".api_tokens"))
    response = make_response(
        render_template(
            "accounts/api_tokens.html",
            form=form,
            secret=session.pop(NEW_TOKEN_KEY, None) if request.method == "GET" else None,
            tokens=tokens_of(current_user),
            may_make=can(current_user, Permission.EDIT_OWN_PROFILE),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    back = url_for(".api_tokens")
    write(lambda: revoke_token(token, current_user), back=back)
    flash(f"The token “{token.name}” is revoked: it no longer works.", "success")
    return redirect(back)


# Signing in with the brand's accounts (OpenID Connect) -----------------------------------------

SSO_INTENT = "sso_intent"


@bp.get("/login/sso/<name>")
@limiter.limit(LOGIN_LIMIT)
def sso_start(name: str):
    provider = oidc.client(name)
    if provider is None:
        abort(404)
    linking = request.args.get("link") == "1" and current_user.is_authenticated
    session[SSO_INTENT] = {"link": linking, "next": _next_url()}
    # The address the provider sends the browser back to: from configuration, never the request.
    return provider.authorize_redirect(public_url("accounts.sso_callback", name=name))


@bp.get("/login/sso/<name>/callback")
@limiter.limit(LOGIN_LIMIT)
def sso_callback(name: str):
    provider = oidc.client(name)
    if provider is None:
        abort(404)
    label = oidc.providers()[name]["label"]
    intent = session.pop(SSO_INTENT, None) or {}
    try:
        claims = provider.authorize_access_token().get("userinfo") or {}
    except Exception as error:
        current_app.logger.warning("Sign-in with %s refused: %r", name, error)
        flash(f"Signing in with {label} did not work ({_sso_problem(error)}). Try again.", "error")
        return redirect(url_for(".login"))
    linking = current_user._get_current_object() if intent.get("link") else None
    back = url_for(".sso_settings") if linking else url_for(".login")

    def sign_in():
        user = oidc.sign_in_with(name, claims, linking=linking)
        if linking is None:
            _sign_in(user)
        return user

    user = write(sign_in, back=back)
    if linking is not None:
        flash(f"Your {label} account is linked: you can sign in with it.", "success")
        return redirect(back)
    flash(f"Welcome, {user.display_name}.", "success")
    return redirect(safe_url(intent.get("next"), fallback=url_for("main.home")))


def _sso_problem(error: Exception) -> str:
    text = getattr(error, "description", None) or getattr(error, "error", None) or str(error)
    return " ".join(str(text).split())[:160] or type(error).__name__


@bp.get("/settings/sso")
@login_required
def sso_settings():
    return render_template(
        "accounts/sso.html",
        providers=oidc.providers(),
        identities={i.provider: i for i in oidc.identities_of(current_user)},
    )


@bp.post("/settings/sso/<int:identity_id>/unlink")
@login_required
def sso_unlink(identity_id: int):
    identity = db.session.get(ExternalIdentity, identity_id)
    if identity is None or identity.user_id != current_user.id:
        abort(404)
    back = url_for(".sso_settings")
    write(lambda: oidc.unlink(current_user, identity), back=back)
    flash("Unlinked: that account no longer signs you in here.", "success")
    return redirect(back)
