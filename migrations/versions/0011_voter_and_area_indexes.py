"""insights indexes: votes voter by voter in time; an area's questions by id

Voters by plan and company count a period's votes per voter: from (user_id, created_at,
idea_id) SQLite reads months of votes already grouped by voter, without sorting them (90 days
at benchmark scale, one area and plan: 151 to 39 ms). PostgreSQL joins a period's answers to
the questions of one area from (product_area_id, id) alone instead of reading every question
(contributors of one area over 90 days: 102 to 27 ms).

Revision ID: 0011_voter_and_area_indexes
Revises: 0010_idea_vote_indexes
Create Date: 2026-11-30 02:35:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_voter_and_area_indexes'
down_revision = '0010_idea_vote_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.create_index('ix_idea_votes_voter_created', ['user_id', 'created_at', 'idea_id'], unique=False)
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index('ix_questions_area_id', ['product_area_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_area_id')
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_votes_voter_created')
