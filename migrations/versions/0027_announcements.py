"""announcements

`announcements`: what the team writes to the community, with its audience.

Revision ID: 0027_announcements
Revises: 0026_digests
Create Date: 2026-12-06 05:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0027_announcements'
down_revision = '0026_digests'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'announcements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=150), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('audience', sa.String(length=12), nullable=False),
        sa.Column('audience_id', sa.Integer(), nullable=True),
        sa.Column('audience_company', sa.String(length=120), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['author_id'], ['users.id'], name=op.f('fk_announcements_author_id_users'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements')),
    )
    op.create_index(
        op.f('ix_announcements_created_at'), 'announcements', ['created_at'], unique=False
    )


def downgrade():
    op.drop_index(op.f('ix_announcements_created_at'), table_name='announcements')
    op.drop_table('announcements')
