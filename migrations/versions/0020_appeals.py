"""appeals

`review_items.appeal` keeps the words of an appeal against a hidden post or a suspension.

Revision ID: 0020_appeals
Revises: 0019_suspension_periods
Create Date: 2026-12-05 20:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0020_appeals'
down_revision = '0019_suspension_periods'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('review_items', sa.Column('appeal', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('review_items', 'appeal')
