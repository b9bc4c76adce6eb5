import subprocess
import sys

from portal.accounts.models import Role, User
from portal.extensions import db


def test_users_create_admin_from_stdin(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Boss@Example.com",
            "--name",
            "Boss",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="a strong admin phrase\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User)).scalar_one()
    assert (user.email, user.role) == ("boss@example.com", Role.ADMIN)


def test_users_create_refuses_weak_password_and_duplicates(runner, make_user):
    weak = runner.invoke(
        args=["users", "create", "--email", "a@example.com", "--name", "A", "--password-stdin"],
        input="short\n",
    )
    assert weak.exit_code != 0 and "Password refused" in weak.output
    make_user(email="b@example.com")
    dup = runner.invoke(
        args=["users", "create", "--email", "b@example.com", "--name", "B", "--password-stdin"],
        input="a strong admin phrase\n",
    )
    assert dup.exit_code != 0 and "already exists" in dup.output


def test_demo_load_is_deterministic_and_refuses_a_non_empty_database(runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    names = list(db.session.scalars(db.select(User.display_name).order_by(User.id)))
    assert len(names) >= 15
    assert {u.role for u in db.session.scalars(db.select(User))} == set(Role)

    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code != 0 and "--force" in refused.output
    assert runner.invoke(args=["demo", "load", "--if-empty"]).exit_code == 0

    forced = runner.invoke(args=["demo", "load", "--force"])
    assert forced.exit_code == 0, forced.output
    db.session.expire_all()
    assert list(db.session.scalars(db.select(User.display_name).order_by(User.id))) == names


def test_demo_home_page_shows_the_brand(runner, client):
    runner.invoke(args=["demo", "load"])
    assert "Acme Community" in client.get("/").get_data(as_text=True)


def test_flask_db_hands_its_arguments_to_flask_migrate(runner):
    for args in (["db", "current"], ["db", "heads", "--verbose"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output, result.exception)
    assert "upgrade" in runner.invoke(args=["db", "--help"]).output
    assert runner.invoke(args=["db", "no-such-command"]).exit_code != 0


def test_a_web_process_does_not_load_alembic():
    """Alembic costs a worker about 12 MB; only `flask db` and code that migrates need it."""
    code = "import sys, portal; portal.create_app(); print('alembic' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.stdout.strip() == "False", loaded.stderr
