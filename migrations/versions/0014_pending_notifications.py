"""pending notifications: fan-out to an idea's voters written by the worker, not the request

A status change on an idea with 20,000 voters wrote 20,000 notification rows in the request
(over 200 ms on PostgreSQL, most of it in the foreign key checks). The request now adds one
pending_notifications row; the worker (`flask mail worker`) writes the rows after commit with
one INSERT ... SELECT and deletes the pending row in the same transaction.

Revision ID: 0014_pending_notifications
Revises: 0013_login_sessions
Create Date: 2026-12-05 07:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_pending_notifications'
down_revision = '0013_login_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_pending_notifications_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_notifications'))
    )


def downgrade():
    op.drop_table('pending_notifications')
