"""digests

`digest_sends`: each member's digest for a period, decided once (the claim that keeps it to one
per member and period with several workers).

Revision ID: 0026_digests
Revises: 0025_follows
Create Date: 2026-12-06 05:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0026_digests'
down_revision = '0025_follows'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'digest_sends',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=20), nullable=False),
        sa.Column('mailed', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_digest_sends_user_id_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('user_id', 'period', name=op.f('pk_digest_sends')),
    )


def downgrade():
    op.drop_table('digest_sends')
