"""undeliverable addresses

`users.email_undeliverable_at`: when the mail server refused the address for good (5xx). The
mail worker sends such an address no notification mail until the member confirms one again.

Revision ID: 0023_undeliverable_addresses
Revises: 0022_notification_mail
Create Date: 2026-12-06 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0023_undeliverable_addresses'
down_revision = '0022_notification_mail'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('email_undeliverable_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('users', 'email_undeliverable_at')
