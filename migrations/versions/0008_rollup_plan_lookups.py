"""rollup triggers look each plan up by key instead of joining users

On PostgreSQL the statement triggers joined their transition table to users, and the planner,
unable to tell how few rows a transition table holds, scanned every user for each one-row
insert: about 5 ms per recorded event at 50,000 members, and a bulk load that slowed to a crawl.

Revision ID: 0008_rollup_plan_lookups
Revises: 0007_insights_rollups
Create Date: 2026-11-29 16:50:00.000000

"""
from alembic import op

from portal.insights import rollups

# revision identifiers, used by Alembic.
revision = '0008_rollup_plan_lookups'
down_revision = '0007_insights_rollups'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':  # SQLite's row triggers already did
        rollups.install_triggers(connection)


def downgrade():
    pass  # the functions' results are the same; only their plans differ
