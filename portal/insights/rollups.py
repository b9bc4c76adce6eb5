"""Rollups the dashboard reads instead of millions of rows, kept by database triggers.

- activity_days: events per day, kind, product area and the actor's plan at the time.
- idea_demand: live votes per idea and the voter's current plan.
- questions.first_answer_at and questions.solved_at: when a question got its first live answer
  and its accepted one, so support health reads a period's questions and not their answers.

Triggers, not Python hooks: the activity log and the votes are written by services, by the
demo generator's bulk inserts and by imports, and cascades delete votes; a trigger counts every
one of them in the same transaction, so the rollups cannot drift from the rows. The same
triggers exist on SQLite (row triggers with UPSERT) and PostgreSQL (statement triggers over
transition tables, so a bulk insert updates each rollup row once). A plan is looked up per row
by primary key, never by joining users: PostgreSQL cannot tell how few rows a transition table
holds, and a join scanned every user for each one-row insert (migration 0008). `rebuild`
recomputes all of them from the rows (the migrations' backfill, and a check that nothing drifted).
"""

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

_PLAN_OF = "coalesce((SELECT plan_id FROM users WHERE id = {who}), 0)"

# A question's answer times, recomputed from its answers (an index range each): any change to
# an answer (posted, deleted, restored, withheld, accepted, moved) and any way of making it is
# the same.
ANSWER_TIMES = """
  UPDATE questions SET
    first_answer_at = (SELECT min(a.created_at) FROM answers a
                       WHERE a.question_id = questions.id AND {live}),
    solved_at = (SELECT max(coalesce(a.accepted_at, a.created_at)) FROM answers a
                 WHERE a.question_id = questions.id AND {live} AND a.is_accepted)
  WHERE {which}"""


@dataclass(frozen=True)
class AnswerCount:
    """Which answers count towards a question's times, and the columns that decide it."""

    live: str
    columns: tuple[str, ...]


# Since migration 0021 an answer withheld for review (pending or hidden) counts no more than a
# deleted one. Migration 0009 installed the first version, before answers could be withheld.
ANSWERS_0009 = AnswerCount(
    "a.deleted_at IS NULL",
    ("question_id", "created_at", "deleted_at", "is_accepted", "accepted_at"),
)
ANSWERS = AnswerCount(
    "a.deleted_at IS NULL AND a.review_state IS NULL", (*ANSWERS_0009.columns, "review_state")
)

SQLITE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS activity_events_rollup AFTER INSERT ON activity_events
    BEGIN
      INSERT INTO activity_days (day, kind, product_area_id, plan_id, events)
      VALUES (date(NEW.created_at), NEW.kind, coalesce(NEW.product_area_id, 0),
              {_PLAN_OF.format(who="NEW.actor_id")}, 1)
      ON CONFLICT (day, kind, product_area_id, plan_id) DO UPDATE SET events = events + 1;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS idea_votes_demand_insert AFTER INSERT ON idea_votes
    BEGIN
      INSERT INTO idea_demand (idea_id, plan_id, voters)
      VALUES (NEW.idea_id, {_PLAN_OF.format(who="NEW.user_id")}, 1)
      ON CONFLICT (idea_id, plan_id) DO UPDATE SET voters = voters + 1;
    END
    """,
    # A vote deleted because its voter's account was deleted was already subtracted by
    # users_demand_delete (the voter is gone by the time the cascade runs).
    f"""
    CREATE TRIGGER IF NOT EXISTS idea_votes_demand_delete AFTER DELETE ON idea_votes
    WHEN EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id)
    BEGIN
      UPDATE idea_demand SET voters = voters - 1
      WHERE idea_id = OLD.idea_id AND plan_id = {_PLAN_OF.format(who="OLD.user_id")};
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS idea_votes_demand_update AFTER UPDATE OF idea_id, user_id
    ON idea_votes
    BEGIN
      UPDATE idea_demand SET voters = voters - 1
      WHERE idea_id = OLD.idea_id AND plan_id = {_PLAN_OF.format(who="OLD.user_id")};
      INSERT INTO idea_demand (idea_id, plan_id, voters)
      VALUES (NEW.idea_id, {_PLAN_OF.format(who="NEW.user_id")}, 1)
      ON CONFLICT (idea_id, plan_id) DO UPDATE SET voters = voters + 1;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS users_demand_plan AFTER UPDATE OF plan_id ON users
    WHEN coalesce(OLD.plan_id, 0) <> coalesce(NEW.plan_id, 0)
    BEGIN
      UPDATE idea_demand SET voters = voters - 1
      WHERE plan_id = coalesce(OLD.plan_id, 0)
        AND idea_id IN (SELECT idea_id FROM idea_votes WHERE user_id = NEW.id);
      INSERT INTO idea_demand (idea_id, plan_id, voters)
      SELECT idea_id, coalesce(NEW.plan_id, 0), 1 FROM idea_votes WHERE user_id = NEW.id AND 1
      ON CONFLICT (idea_id, plan_id) DO UPDATE SET voters = voters + 1;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS users_demand_delete BEFORE DELETE ON users
    BEGIN
      UPDATE idea_demand SET voters = voters - 1
      WHERE plan_id = coalesce(OLD.plan_id, 0)
        AND idea_id IN (SELECT idea_id FROM idea_votes WHERE user_id = OLD.id);
    END
    """,
]

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION activity_events_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO activity_days (day, kind, product_area_id, plan_id, events)
      SELECT e.created_at::date, e.kind, coalesce(e.product_area_id, 0),
             {_PLAN_OF.format(who="e.actor_id")}, count(*)
      FROM new_events e
      GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
      ON CONFLICT (day, kind, product_area_id, plan_id)
      DO UPDATE SET events = activity_days.events + EXCLUDED.events;
      RETURN NULL;
    END $$
    """,
    "DROP TRIGGER IF EXISTS activity_events_rollup ON activity_events",
    """
    CREATE TRIGGER activity_events_rollup AFTER INSERT ON activity_events
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT
    EXECUTE FUNCTION activity_events_rollup()
    """,
    f"""
    CREATE OR REPLACE FUNCTION idea_votes_demand_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO idea_demand (idea_id, plan_id, voters)
      SELECT v.idea_id, {_PLAN_OF.format(who="v.user_id")}, count(*)
      FROM new_votes v
      GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (idea_id, plan_id) DO UPDATE SET voters = idea_demand.voters + EXCLUDED.voters;
      RETURN NULL;
    END $$
    """,
    "DROP TRIGGER IF EXISTS idea_votes_demand_insert ON idea_votes",
    """
    CREATE TRIGGER idea_votes_demand_insert AFTER INSERT ON idea_votes
    REFERENCING NEW TABLE AS new_votes FOR EACH STATEMENT
    EXECUTE FUNCTION idea_votes_demand_insert()
    """,
    # Votes of a deleted account are left out (the inner join): users_demand_delete did it.
    f"""
    CREATE OR REPLACE FUNCTION idea_votes_demand_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE idea_demand d SET voters = d.voters - gone.n
      FROM (SELECT v.idea_id, {_PLAN_OF.format(who="v.user_id")} AS plan_id, count(*) AS n
            FROM old_votes v WHERE EXISTS (SELECT 1 FROM users WHERE id = v.user_id)
            GROUP BY 1, 2) gone
      WHERE d.idea_id = gone.idea_id AND d.plan_id = gone.plan_id;
      RETURN NULL;
    END $$
    """,
    "DROP TRIGGER IF EXISTS idea_votes_demand_delete ON idea_votes",
    """
    CREATE TRIGGER idea_votes_demand_delete AFTER DELETE ON idea_votes
    REFERENCING OLD TABLE AS old_votes FOR EACH STATEMENT
    EXECUTE FUNCTION idea_votes_demand_delete()
    """,
    f"""
    CREATE OR REPLACE FUNCTION idea_votes_demand_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE idea_demand SET voters = voters - 1
      WHERE idea_id = OLD.idea_id AND plan_id = {_PLAN_OF.format(who="OLD.user_id")};
      INSERT INTO idea_demand (idea_id, plan_id, voters)
      VALUES (NEW.idea_id, {_PLAN_OF.format(who="NEW.user_id")}, 1)
      ON CONFLICT (idea_id, plan_id) DO UPDATE SET voters = idea_demand.voters + 1;
      RETURN NULL;
    END $$
    """,
    "DROP TRIGGER IF EXISTS idea_votes_demand_update ON idea_votes",
    """
    CREATE TRIGGER idea_votes_demand_update AFTER UPDATE OF idea_id, user_id ON idea_votes
    FOR EACH ROW
    WHEN (OLD.idea_id IS DISTINCT FROM NEW.idea_id OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION idea_votes_demand_update()
    """,
    """
    CREATE OR REPLACE FUNCTION users_demand_plan() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE idea_demand SET voters = voters - 1
      WHERE plan_id = coalesce(OLD.plan_id, 0)
        AND idea_id IN (SELECT idea_id FROM idea_votes WHERE user_id = NEW.id);
      INSERT INTO idea_demand (idea_id, plan_id, voters)
      SELECT idea_id, coalesce(NEW.plan_id, 0), 1 FROM idea_votes WHERE user_id = NEW.id
      ON CONFLICT (idea_id, plan_id) DO UPDATE SET voters = idea_demand.voters + 1;
      RETURN NULL;
    END $$
    """,
    "DROP TRIGGER IF EXISTS users_demand_plan ON users",
    """
    CREATE TRIGGER users_demand_plan AFTER UPDATE OF plan_id ON users FOR EACH ROW
    WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id)
    EXECUTE FUNCTION users_demand_plan()
    """,
    """
    CREATE OR REPLACE FUNCTION users_demand_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE idea_demand SET voters = voters - 1
      WHERE plan_id = coalesce(OLD.plan_id, 0)
        AND idea_id IN (SELECT idea_id FROM idea_votes WHERE user_id = OLD.id);
      RETURN OLD;
    END $$
    """,
    "DROP TRIGGER IF EXISTS users_demand_delete ON users",
    """
    CREATE TRIGGER users_demand_delete BEFORE DELETE ON users FOR EACH ROW
    EXECUTE FUNCTION users_demand_delete()
    """,
]


def _answer_times_per_statement(event: str, transition: str) -> list[str]:
    """A statement trigger on answers that recounts the answer times of every question its
    rows belong to (`transition`: the rows, as PostgreSQL names them)."""
    name, rows = f"answers_times_{event}", transition.rsplit(" ", 1)[1]
    return [
        f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM question_answer_times(ARRAY(SELECT DISTINCT question_id FROM {rows}));
      RETURN NULL;
    END $$
    """,
        f"DROP TRIGGER IF EXISTS {name} ON answers",
        f"""
    CREATE TRIGGER {name} AFTER {event.upper()} ON answers
    REFERENCING {transition} FOR EACH STATEMENT
    EXECUTE FUNCTION {name}()
    """,
    ]


def _answer_times_sqlite(count: AnswerCount) -> list[str]:
    times = ANSWER_TIMES.replace("{live}", count.live)
    return [
        f"""
    CREATE TRIGGER IF NOT EXISTS answers_times_insert AFTER INSERT ON answers
    BEGIN {times.format(which="id = NEW.question_id")}; END
    """,
        f"""
    CREATE TRIGGER IF NOT EXISTS answers_times_update AFTER UPDATE OF {", ".join(count.columns)}
    ON answers
    BEGIN {times.format(which="id IN (OLD.question_id, NEW.question_id)")}; END
    """,
        f"""
    CREATE TRIGGER IF NOT EXISTS answers_times_delete AFTER DELETE ON answers
    BEGIN {times.format(which="id = OLD.question_id")}; END
    """,
    ]


def _answer_times_postgresql(count: AnswerCount) -> list[str]:
    times = ANSWER_TIMES.replace("{live}", count.live)
    changed = "\n          OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in count.columns)
    return [
        # Under READ COMMITTED an UPDATE that waited for a row lock keeps its older snapshot in
        # subqueries, and would miss an answer committed meanwhile: lock the questions first, so
        # the recount (a new statement, a new snapshot) sees every committed answer.
        f"""
    CREATE OR REPLACE FUNCTION question_answer_times(ids integer[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM 1 FROM questions WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
      {times.format(which="id = ANY (ids)")};
    END $$
    """,
        *_answer_times_per_statement("insert", "NEW TABLE AS new_answers"),
        """
    CREATE OR REPLACE FUNCTION answers_times_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM question_answer_times(ARRAY[OLD.question_id, NEW.question_id]);
      RETURN NULL;
    END $$
    """,
        "DROP TRIGGER IF EXISTS answers_times_update ON answers",
        f"""
    CREATE TRIGGER answers_times_update AFTER UPDATE OF {", ".join(count.columns)} ON answers
    FOR EACH ROW
    WHEN ({changed})
    EXECUTE FUNCTION answers_times_update()
    """,
        *_answer_times_per_statement("delete", "OLD TABLE AS old_answers"),
    ]


TRIGGERS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}
ANSWER_TIME_TRIGGERS = {"sqlite": _answer_times_sqlite, "postgresql": _answer_times_postgresql}
TRIGGER_NAMES = [
    ("activity_events_rollup", "activity_events"),
    ("idea_votes_demand_insert", "idea_votes"),
    ("idea_votes_demand_delete", "idea_votes"),
    ("idea_votes_demand_update", "idea_votes"),
    ("users_demand_plan", "users"),
    ("users_demand_delete", "users"),
]
ANSWER_TIME_TRIGGER_NAMES = [
    ("answers_times_insert", "answers"),
    ("answers_times_update", "answers"),
    ("answers_times_delete", "answers"),
]

_DAY = {"sqlite": "date(e.created_at)", "postgresql": "CAST(e.created_at AS date)"}


def install_triggers(connection: Connection) -> None:
    """The rollups' triggers (migrations 0007 and 0008)."""
    for statement in TRIGGERS[connection.dialect.name]:
        connection.exec_driver_sql(statement)


def install_answer_time_triggers(connection: Connection, count: AnswerCount = ANSWERS) -> None:
    """The triggers that keep each question's answer times (migrations 0009 and 0021)."""
    for statement in ANSWER_TIME_TRIGGERS[connection.dialect.name](count):
        connection.exec_driver_sql(statement)


def _drop(connection: Connection, names: list[tuple[str, str]]) -> None:
    postgresql = connection.dialect.name == "postgresql"
    for name, table in names:
        on = f" ON {table}" if postgresql else ""
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}{on}")
        if postgresql:
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")


def drop_triggers(connection: Connection) -> None:
    """The rollups' triggers (migration 0007's downgrade)."""
    _drop(connection, TRIGGER_NAMES)


def drop_answer_time_triggers(connection: Connection) -> None:
    """The answer-time triggers (migration 0009's downgrade)."""
    _drop(connection, ANSWER_TIME_TRIGGER_NAMES)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS question_answer_times(integer[])")


def rebuild(connection: Connection) -> None:
    """Recompute the rollups and each question's answer times from the rows."""
    rebuild_rollups(connection)
    rebuild_answer_times(connection)


def rebuild_answer_times(connection: Connection, count: AnswerCount = ANSWERS) -> None:
    connection.execute(text(ANSWER_TIMES.replace("{live}", count.live).format(which="true")))


def rebuild_rollups(connection: Connection) -> None:
    """Recompute both rollups from the rows (activity plans as they are now: the plan at the
    time was not recorded before the rollup existed)."""
    day = _DAY[connection.dialect.name]
    connection.execute(text("DELETE FROM activity_days"))
    connection.execute(
        text(
            "INSERT INTO activity_days (day, kind, product_area_id, plan_id, events) "
            f"SELECT {day}, e.kind, coalesce(e.product_area_id, 0), coalesce(u.plan_id, 0), "
            "count(*) FROM activity_events e LEFT JOIN users u ON u.id = e.actor_id "
            f"GROUP BY {day}, e.kind, coalesce(e.product_area_id, 0), coalesce(u.plan_id, 0)"
        )
    )
    connection.execute(text("DELETE FROM idea_demand"))
    connection.execute(
        text(
            "INSERT INTO idea_demand (idea_id, plan_id, voters) "
            "SELECT v.idea_id, coalesce(u.plan_id, 0), count(*) "
            "FROM idea_votes v JOIN users u ON u.id = v.user_id "
            "GROUP BY v.idea_id, coalesce(u.plan_id, 0)"
        )
    )
