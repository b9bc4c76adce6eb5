"""badges

`badge_awards` (each badge once per member) and `badge_cursor` (how far in the activity log the
worker has looked), and `users.on_leaderboards` (a member may stay off the leaderboards).

Revision ID: 0036_badges
Revises: 0035_changelog
Create Date: 2026-12-07 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0036_badges'
down_revision = '0035_changelog'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'badge_awards',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('badge', sa.String(length=40), nullable=False),
        sa.Column('awarded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_badge_awards_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_awards')),
        sa.UniqueConstraint('user_id', 'badge', name=op.f('uq_badge_awards_user_id_badge')),
    )
    op.create_index(op.f('ix_badge_awards_badge'), 'badge_awards', ['badge'], unique=False)
    op.create_table(
        'badge_cursor',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_event_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_cursor')),
    )
    # A plain ADD COLUMN: batch mode would rebuild the users table on SQLite.
    op.add_column(
        'users', sa.Column('on_leaderboards', sa.Boolean(), server_default=sa.true(), nullable=False)
    )


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('on_leaderboards')
    op.drop_table('badge_cursor')
    op.drop_table('badge_awards')
