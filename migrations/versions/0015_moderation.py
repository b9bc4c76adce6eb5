"""moderation: flags, review items, the moderation log, and posts withheld from view

Questions, answers, comments, ideas and idea comments get `review_state` (NULL: everyone sees
the post; "pending": a new member's post waiting for review; "hidden": hidden after flags or by
a moderator). The list indexes were partial on `deleted_at IS NULL`; they are made again on
"not deleted and not withheld", the terms the queries now write, so lists still walk an index.

Revision ID: 0015_moderation
Revises: 0014_pending_notifications
Create Date: 2026-12-05 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_moderation'
down_revision = '0014_pending_notifications'
branch_labels = None
depends_on = None

OLD = "deleted_at IS NULL"
LIVE = "deleted_at IS NULL AND review_state IS NULL"
POSTS = ["questions", "answers", "comments", "ideas", "idea_comments"]
ANSWER_TIMES = ["created_at", "product_area_id", "author_id", "closed_at", "first_answer_at",
                "solved_at"]
# (table, name, columns, WHERE after "live" on SQLite, on PostgreSQL)
INDEXES = [
    ("questions", "ix_questions_live_created_at", ["created_at", "id"], "", ""),
    ("questions", "ix_questions_live_last_activity_at", ["last_activity_at", "id"], "", ""),
    ("questions", "ix_questions_solved_created_at", ["created_at", "id"],
     " AND is_solved = 1", " AND is_solved = true"),
    ("questions", "ix_questions_unanswered_created_at", ["created_at", "id"],
     " AND closed_at IS NULL AND answer_count = 0", " AND closed_at IS NULL AND answer_count = 0"),
    ("questions", "ix_questions_live_answer_times", ANSWER_TIMES, "", ""),
    ("answers", "ix_answers_live_created_at",
     ["created_at", "author_id", "question_id", "is_accepted"], "", ""),
]


def _indexes(live: str) -> None:
    for table, name, columns, sqlite_rest, pg_rest in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False,
                        sqlite_where=sa.text(live + sqlite_rest),
                        postgresql_where=sa.text(live + pg_rest))


def upgrade():
    for table in POSTS:
        op.add_column(table, sa.Column('review_state', sa.String(length=8), nullable=True))
    _indexes(LIVE)
    op.create_table('review_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('flag_weight', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_review_items_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_review_items_closed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_items'))
    )
    op.create_index('uq_review_items_open_post', 'review_items', ['kind', 'post_id'], unique=True,
                    sqlite_where=sa.text('closed_at IS NULL'),
                    postgresql_where=sa.text('closed_at IS NULL'))
    op.create_index('ix_review_items_open_opened_at', 'review_items', ['closed_at', 'opened_at'])
    op.create_table('flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_flags_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flags')),
    sa.UniqueConstraint('kind', 'post_id', 'user_id', name='uq_flags_one_per_person')
    )
    op.create_index('ix_flags_user_id', 'flags', ['user_id'])
    op.create_table('moderation_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=True),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('target_user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_moderation_log_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_user_id'], ['users.id'], name=op.f('fk_moderation_log_target_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_log'))
    )
    op.create_index('ix_moderation_log_created_at', 'moderation_log', ['created_at'])


def downgrade():
    op.drop_table('moderation_log')
    op.drop_table('flags')
    op.drop_table('review_items')
    _indexes(OLD)
    for table in POSTS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('review_state')
