"""badge counts

`users.gold_badges`, `silver_badges` and `bronze_badges`: the badges a member earned, by tier,
shown beside their name wherever it appears without a query per name; counted from the awards
made so far.

Revision ID: 0039_badge_counts
Revises: 0038_idea_status_options
Create Date: 2026-12-07 04:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0039_badge_counts'
down_revision = '0038_idea_status_options'
branch_labels = None
depends_on = None

# The badges of each tier when this migration was written (portal/badges/definitions.py).
TIERS = {
    'gold': ('shipper',),
    'silver': ('expert',),
    'bronze': ('curious', 'helper', 'solver', 'visionary', 'helpful-flagger', 'voice', 'attendee'),
}


def upgrade():
    for tier, badges in TIERS.items():
        op.add_column(
            'users',
            sa.Column(f'{tier}_badges', sa.Integer(), server_default=sa.text('0'), nullable=False),
        )
        keys = ', '.join(f"'{key}'" for key in badges)
        op.execute(
            f'UPDATE users SET {tier}_badges = (SELECT count(*) FROM badge_awards '
            f'WHERE badge_awards.user_id = users.id AND badge_awards.badge IN ({keys})) '
            'WHERE id IN (SELECT user_id FROM badge_awards)'
        )


def downgrade():
    # In place (SQLite 3.35+ drops a column): batch mode would remake `users`, which the
    # insights triggers name.
    for tier in TIERS:
        op.drop_column('users', f'{tier}_badges')
