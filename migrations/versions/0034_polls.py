"""polls

`polls`, `poll_options` and `poll_votes`: polls on their own or under a question, an idea, an
announcement or an event, their answers, and members' ballots (one row per answer chosen).

Revision ID: 0034_polls
Revises: 0033_events
Create Date: 2026-12-07 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0034_polls'
down_revision = '0033_events'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'polls',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('multiple', sa.Boolean(), nullable=False),
        sa.Column('results_after', sa.String(length=10), nullable=False),
        sa.Column('closes_at', sa.DateTime(), nullable=True),
        sa.Column('subject_type', sa.String(length=20), nullable=True),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_polls_author_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_polls')),
    )
    op.create_index(op.f('ix_polls_created_at'), 'polls', ['created_at'], unique=False)
    op.create_index('ix_polls_subject', 'polls', ['subject_type', 'subject_id'], unique=False)
    op.create_table(
        'poll_options',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=120), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_options_poll_id_polls'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_options')),
    )
    op.create_index(op.f('ix_poll_options_poll_id'), 'poll_options', ['poll_id'], unique=False)
    op.create_table(
        'poll_votes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('option_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['option_id'], ['poll_options.id'], name=op.f('fk_poll_votes_option_id_poll_options'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_votes_poll_id_polls'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_poll_votes_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_votes')),
        sa.UniqueConstraint('poll_id', 'user_id', 'option_id', name=op.f('uq_poll_votes_poll_id_user_id_option_id')),
    )
    op.create_index(op.f('ix_poll_votes_option_id'), 'poll_votes', ['option_id'], unique=False)
    op.create_index(op.f('ix_poll_votes_user_id'), 'poll_votes', ['user_id'], unique=False)


def downgrade():
    op.drop_table('poll_votes')
    op.drop_table('poll_options')
    op.drop_table('polls')
