"""events

`events`, `event_responses` and `event_questions`: events and Ask-Me-Anything sessions, and members' answers
(going, maybe, not going) with the waitlist and the reminders sent, and the questions asked at AMA sessions.

Revision ID: 0033_events
Revises: 0032_search_vectors
Create Date: 2026-12-07 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0033_events'
down_revision = '0032_search_vectors'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('title', sa.String(length=150), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('time_zone', sa.String(length=60), nullable=False),
        sa.Column('location', sa.String(length=200), nullable=True),
        sa.Column('online_url', sa.String(length=500), nullable=True),
        sa.Column('product_area_id', sa.Integer(), nullable=True),
        sa.Column('capacity', sa.Integer(), nullable=True),
        sa.Column('going_count', sa.Integer(), nullable=False),
        sa.Column('waitlist_count', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_events_author_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['product_area_id'], ['product_areas.id'], name=op.f('fk_events_product_area_id_product_areas'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    )
    op.create_index(op.f('ix_events_starts_at'), 'events', ['starts_at'], unique=False)
    op.create_table(
        'event_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('response', sa.String(length=10), nullable=False),
        sa.Column('waitlisted', sa.Boolean(), nullable=False),
        sa.Column('queued_at', sa.DateTime(), nullable=False),
        sa.Column('reminded', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_responses_event_id_events'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_responses_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_responses')),
        sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_event_responses_event_id_user_id')),
    )
    op.create_index(op.f('ix_event_responses_user_id'), 'event_responses', ['user_id'], unique=False)
    op.create_table(
        'event_questions',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_questions_event_id_events'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_event_questions_question_id_questions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id', 'question_id', name=op.f('pk_event_questions')),
    )
    op.create_index(op.f('ix_event_questions_question_id'), 'event_questions', ['question_id'], unique=False)


def downgrade():
    op.drop_table('event_questions')
    op.drop_table('event_responses')
    op.drop_table('events')
