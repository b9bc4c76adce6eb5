"""`flask` commands, registered by the factory. Each docstring is its --help."""

import sys
import time

import click
from flask import Flask
from flask.cli import AppGroup, ScriptInfo

from portal.accounts.api_tokens import LIFETIMES, SCOPES, create_token
from portal.accounts.models import Role
from portal.accounts.passwords import password_problem
from portal.accounts.services import email_taken, find_user_by_email, register_user
from portal.database import bind_migrations
from portal.extensions import db
from portal.imports.cli import import_cli
from portal.insights.cli import insights_cli
from portal.mail.cli import mail_cli
from portal.moderation.cli import moderation_cli
from portal.search.cli import search_cli
from portal.writes import write

users_cli = AppGroup("users", help="Manage people and roles.")
demo_cli = AppGroup("demo", help="Demo data for trying the portal.")


@users_cli.command("create")
@click.option("--email", required=True, help="Login email.")
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.MEMBER.value,
    show_default=True,
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email: str, display_name: str, role: str, password_stdin: bool) -> None:
    """Create an account, e.g. the first admin. Prompts for the password unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password)
    if problem:
        raise click.ClickException(f"Password refused: {problem}")
    if email_taken(email):
        raise click.ClickException(f"An account with {email} already exists.")
    user = write(
        lambda: register_user(
            email=email,
            display_name=display_name,
            password=password,
            role=Role(role),
            confirmed=True,
        )
    )
    click.echo(
        f"Created {Role(role).label.lower()} {user.display_name} <{user.email}> (id {user.id})."
    )


@demo_cli.command("load")
@click.option("--force", is_flag=True, help="Load even though the database already has users.")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) when data exists.")
def load_demo_command(force: bool, if_empty: bool) -> None:
    """Load a small, believable community (deterministic: the same every time)."""
    from portal.demo import DemoRefused, load_demo

    started = time.perf_counter()
    try:
        summary = load_demo(force=force)
    except DemoRefused as refused:
        if if_empty:
            click.echo("Demo data: the database already has data; leaving it as it is.")
            return
        raise click.ClickException(str(refused)) from refused
    db.session.commit()
    from portal.search.indexer import apply_pending

    indexed = apply_pending()
    summary["search documents"] = indexed.documents
    counts = ", ".join(f"{count} {name}" for name, count in summary.items())
    click.echo(f"Demo data loaded in {time.perf_counter() - started:.1f}s: {counts}.")
    click.echo("Log in as admin@example.com, manager@example.com (community manager),")
    click.echo("staff@example.com, product@example.com or member@example.com, all with the")
    click.echo("password 'demo password 1'.")


@demo_cli.command("generate")
@click.option("--users", default=50_000, show_default=True, help="Members to add.")
@click.option("--questions", default=100_000, show_default=True)
@click.option("--answers-per-question", default=3.0, show_default=True, help="On average.")
@click.option("--ideas", default=20_000, show_default=True)
@click.option(
    "--votes", default=1_000_000, show_default=True, help="All votes: 40% on ideas, the rest Q&A."
)
@click.option("--comments-per-post", default=0.3, show_default=True, help="On average.")
@click.option("--searches", default=50_000, show_default=True, help="Search log entries.")
@click.option("--days", default=730, show_default=True, help="The period activity spreads over.")
@click.option(
    "--corpus",
    multiple=True,
    type=click.Path(exists=True, file_okay=False),
    help="A Stack Exchange dump folder to learn the writing from (repeatable).",
)
@click.option("--seed", default=20261123, show_default=True)
@click.option("--force", is_flag=True, help="Erase the database first if it has data.")
@click.option("--no-index", is_flag=True, help="Leave the search index for later.")
@click.pass_context
def generate_demo_command(ctx, corpus, seed, force, no_index, **counts) -> None:
    """Load the demo, then generate a large community around it with bulk inserts (for trying
    the portal at scale and for the benchmarks). Deterministic for a given seed and corpus."""
    from portal.demo import DemoRefused, load_demo
    from portal.demo.generate import Generator, Scale
    from portal.demo.text import model_from
    from portal.search.cli import rebuild_command

    started = time.perf_counter()
    try:
        load_demo(force=force)
    except DemoRefused as refused:
        raise click.ClickException(str(refused)) from refused
    db.session.commit()
    click.echo("Learning the writing style" + (f" from {len(corpus)} dump(s)" if corpus else ""))
    generator = Generator(Scale(**counts), model_from(corpus), seed=seed)
    with click.progressbar(
        length=generator.planned_rows, label="Generating", show_pos=True, show_eta=True
    ) as bar:
        generator.out.progress = bar.update
        summary = generator.generate()
    seconds = time.perf_counter() - started
    tables = ", ".join(f"{n:,} {name}" for name, n in summary.rows.most_common())
    click.echo(
        f"Generated {summary.total:,} rows in {seconds:.1f}s "
        f"({summary.total / seconds:,.0f} rows per second): {tables}."
    )
    if not no_index:
        ctx.invoke(rebuild_command)


class MigrationCommands(click.Command):
    """`flask db ...`: hands its arguments to Flask-Migrate's commands, loaded only when used
    (see bind_migrations)."""

    def __init__(self) -> None:
        super().__init__(
            "db",
            help="Database migrations (Flask-Migrate): flask db upgrade, flask db --help.",
            add_help_option=False,
            context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        )

    def invoke(self, ctx: click.Context):
        from flask_migrate.cli import db as commands

        info = ctx.ensure_object(ScriptInfo)
        bind_migrations(info.load_app())
        return commands.main(
            args=ctx.args, prog_name=ctx.command_path, obj=info, standalone_mode=False
        )


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="Command line", show_default=True, help="What will use it.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(list(SCOPES)),
    default=["read"],
    show_default=True,
    help="Repeat for several.",
)
@click.option(
    "--expires", type=click.Choice(list(LIFETIMES)), default="90", show_default=True, help="Days."
)
def make_token(email: str, name: str, scopes: tuple[str, ...], expires: str) -> None:
    """Make an API token for the member with this email and print it (shown only this once)."""
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the email {email}.")
    _token, secret = write(
        lambda: create_token(user, name=name, scopes=list(scopes), lifetime=expires)
    )
    click.echo(secret)


def register(app: Flask) -> None:
    from portal.assets import assets_cli
    from portal.support.cli import support_cli

    app.cli.add_command(MigrationCommands())
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(moderation_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(insights_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(support_cli)
    app.cli.add_command(assets_cli)
