"""suspensions for a period

`users.suspended_until` ends a suspension by itself; NULL while suspended means until lifted.

Revision ID: 0019_suspension_periods
Revises: 0018_guidelines_accept_again
Create Date: 2026-12-05 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0019_suspension_periods'
down_revision = '0018_guidelines_accept_again'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('suspended_until', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('users', 'suspended_until')
