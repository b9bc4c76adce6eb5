"""guidelines accepted again after a material change

Members who accepted the guidelines before `site_settings.guidelines_accept_again_since`
accept them again at their next visit.

Revision ID: 0018_guidelines_accept_again
Revises: 0017_trust_levels
Create Date: 2026-12-05 20:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0018_guidelines_accept_again'
down_revision = '0017_trust_levels'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('site_settings', sa.Column('guidelines_accept_again_since', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('site_settings', 'guidelines_accept_again_since')
