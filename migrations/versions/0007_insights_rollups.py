"""insights rollups kept by triggers (activity per day, idea demand per plan) and indexes

The dashboard read 1.6 million events and 400,000 votes per request at benchmark scale; these
rollups and the vote and answer indexes let it read days and ideas instead (bench/insights.py).

Revision ID: 0007_insights_rollups
Revises: 0006_list_indexes
Create Date: 2026-11-23 13:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

from portal.insights import rollups

# revision identifiers, used by Alembic.
revision = '0007_insights_rollups'
down_revision = '0006_list_indexes'
branch_labels = None
depends_on = None

LIVE = 'deleted_at IS NULL'


def upgrade():
    op.create_table('activity_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('product_area_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'kind', 'product_area_id', 'plan_id', name=op.f('pk_activity_days'))
    )
    op.create_table('idea_demand',
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('voters', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_demand_idea_id_ideas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idea_id', 'plan_id', name=op.f('pk_idea_demand'))
    )
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.create_index('ix_idea_votes_created_at_voter', ['created_at', 'idea_id', 'user_id'], unique=False)
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index('ix_answers_question_times', ['question_id', 'created_at', 'deleted_at', 'is_accepted', 'accepted_at'], unique=False)
        batch_op.create_index('ix_answers_live_created_at', ['created_at', 'author_id', 'question_id', 'is_accepted'], unique=False, sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))

    # Fill the rollups from the rows already there, then let the triggers keep them.
    connection = op.get_bind()
    rollups.rebuild_rollups(connection)
    rollups.install_triggers(connection)


def downgrade():
    rollups.drop_triggers(op.get_bind())
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index('ix_answers_question_times')
        batch_op.drop_index('ix_answers_live_created_at', sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_votes_created_at_voter')
    op.drop_table('idea_demand')
    op.drop_table('activity_days')
