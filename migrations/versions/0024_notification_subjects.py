"""notification subjects

`notifications.about_kind` and `about_id` (and the same on `pending_notifications`): the post
a notification is about, so mail checks the member may still see it before it goes out.

Revision ID: 0024_notification_subjects
Revises: 0023_undeliverable_addresses
Create Date: 2026-12-06 04:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0024_notification_subjects'
down_revision = '0023_undeliverable_addresses'
branch_labels = None
depends_on = None

TABLES = ('notifications', 'pending_notifications')


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column('about_kind', sa.String(length=20), nullable=True))
        op.add_column(table, sa.Column('about_id', sa.Integer(), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('about_id')
            batch.drop_column('about_kind')
