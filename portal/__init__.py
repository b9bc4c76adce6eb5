"""Community Portal: a brand's own customer community and feedback portal."""

from flask import Flask

from portal.config import PROJECT_ROOT, load_config


def create_app(config: dict | None = None) -> Flask:
    """Build the portal: configure, bind extensions, register blueprints, errors and CLI."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(load_config(config))
    app.instance_path = app.config["INSTANCE_DIR"]

    _register_extensions(app)
    _register_input_checks(app)
    _register_blueprints(app)
    _register_errorhandlers(app)
    _register_templating(app)
    _register_security(app)
    _register_static_files(app)
    _register_cli(app)
    return app


def _register_extensions(app: Flask) -> None:
    from portal import database, models, ratelimits  # noqa: F401  (complete metadata; storage)
    from portal.accounts import auth, oidc
    from portal.extensions import csrf, db, limiter, login_manager

    db.init_app(app)
    database.configure(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    auth.configure_login(login_manager)
    oidc.register(app)


def _register_input_checks(app: Flask) -> None:
    from portal import inputs

    inputs.register(app)


def _register_blueprints(app: Flask) -> None:
    from portal import api
    from portal.accounts import bp as accounts_bp
    from portal.accounts import sessions as login_sessions
    from portal.admin import bp as admin_bp
    from portal.announcements import bp as announcements_bp
    from portal.badges import bp as badges_bp
    from portal.changelog import bp as changelog_bp
    from portal.events import bp as events_bp
    from portal.follows import bp as follows_bp
    from portal.ideas import bp as ideas_bp
    from portal.insights import bp as insights_bp
    from portal.links import bp as links_bp
    from portal.mail import bp as mail_bp
    from portal.main import bp as main_bp
    from portal.moderation import bp as moderation_bp
    from portal.notifications import bp as notifications_bp
    from portal.polls import bp as polls_bp
    from portal.search import bp as search_bp
    from portal.search import hooks as search_hooks
    from portal.search.services import register_search_log
    from portal.support import bp as support_bp
    from portal.support import view_counts

    blueprints = (
        main_bp,
        accounts_bp,
        admin_bp,
        notifications_bp,
        mail_bp,
        follows_bp,
        support_bp,
        search_bp,
        insights_bp,
        ideas_bp,
        links_bp,
        announcements_bp,
        events_bp,
        polls_bp,
        changelog_bp,
        badges_bp,
        moderation_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    api.register(app)
    search_hooks.register(app)
    register_search_log(app)
    view_counts.register(app)
    login_sessions.register(app)


def _register_errorhandlers(app: Flask) -> None:
    from portal import errors

    errors.register(app)


def _register_templating(app: Flask) -> None:
    from portal import templating

    templating.register(app)


def _register_security(app: Flask) -> None:
    from portal import public_url, security

    security.register(app)
    public_url.register(app)


def _register_static_files(app: Flask) -> None:
    from portal import assets

    assets.register(app)


def _register_cli(app: Flask) -> None:
    from portal import cli

    cli.register(app)
