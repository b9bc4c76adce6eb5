"""follows

`follows`: a member watching or muting a product area, a tag or a question (no row: normal).

Revision ID: 0025_follows
Revises: 0024_notification_subjects
Create Date: 2026-12-06 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0025_follows'
down_revision = '0024_notification_subjects'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'follows',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('target_kind', sa.String(length=12), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_follows_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('user_id', 'target_kind', 'target_id', name=op.f('pk_follows')),
    )
    op.create_index(
        'ix_follows_target', 'follows', ['target_kind', 'target_id', 'level'], unique=False
    )


def downgrade():
    op.drop_index('ix_follows_target', table_name='follows')
    op.drop_table('follows')
