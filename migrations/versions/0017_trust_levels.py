"""trust levels: each member's level, the days they visited, why a post was held

`users.trust_level` (new 0 ... leader 4) is kept by portal/moderation/trust.py;
`trust_level_locked` marks a level a community manager set. `visit_days` has a row per member
per day they used the site signed in. `review_items.detail` says why a post was held (the spam
filter's score and signals). Members who joined before levels existed start at basic, not new:
their posts were already seen at once, and holding them now would surprise them.

Revision ID: 0017_trust_levels
Revises: 0016_spam_filter
Create Date: 2026-12-05 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0017_trust_levels'
down_revision = '0016_spam_filter'
branch_labels = None
depends_on = None


def upgrade():
    # ADD COLUMN, not a batch: rebuilding users on SQLite would break the activity trigger
    # that reads it.
    op.add_column('users', sa.Column('trust_level', sa.SmallInteger(), server_default=sa.text('0'), nullable=False))
    op.add_column('users', sa.Column('trust_level_locked', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE users SET trust_level = 1 WHERE email_confirmed_at IS NOT NULL")
    op.create_table('visit_days',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_visit_days_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'day', name=op.f('pk_visit_days'))
    )
    op.add_column('review_items', sa.Column('detail', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.drop_column('detail')
    op.drop_table('visit_days')
    op.drop_column('users', 'trust_level_locked')
    op.drop_column('users', 'trust_level')
