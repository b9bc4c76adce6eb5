"""question answer times kept by triggers: support health reads questions, not their answers

Support health aggregated every answer of a period's questions (141 ms for 90 days at benchmark
scale); each question now carries when it got its first live answer and its accepted one.

Revision ID: 0009_question_answer_times
Revises: 0008_rollup_plan_lookups
Create Date: 2026-11-29 23:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

from portal.insights import rollups

# revision identifiers, used by Alembic.
revision = '0009_question_answer_times'
down_revision = '0008_rollup_plan_lookups'
branch_labels = None
depends_on = None

LIVE = 'deleted_at IS NULL'
COLUMNS = ['created_at', 'product_area_id', 'author_id', 'closed_at', 'first_answer_at', 'solved_at']


def upgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_answer_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('solved_at', sa.DateTime(), nullable=True))
    connection = op.get_bind()
    rollups.install_answer_time_triggers(connection, rollups.ANSWERS_0009)
    rollups.rebuild_answer_times(connection, rollups.ANSWERS_0009)
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index('ix_questions_live_answer_times', COLUMNS, unique=False, sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade():
    rollups.drop_answer_time_triggers(op.get_bind())
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_live_answer_times', sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
        batch_op.drop_column('solved_at')
        batch_op.drop_column('first_answer_at')
