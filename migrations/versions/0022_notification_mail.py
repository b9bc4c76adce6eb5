"""notification mail: preferences per topic, "pause all mail", mail parts and headers

Notifications get `mail_state`: None until the mail worker decides whether one goes out by
mail. Those written before this revision are marked "not mailed", so an upgrade does not mail
a community's whole history.

Revision ID: 0022_notification_mail
Revises: 0021_withheld_answers_untimed
Create Date: 2026-12-06 02:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0022_notification_mail'
down_revision = '0021_withheld_answers_untimed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notification_preferences',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=40), nullable=False),
        sa.Column('delivery', sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'topic'),
    )
    op.add_column(
        'users', sa.Column('mail_paused', sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column('notifications', sa.Column('mail_state', sa.String(length=12), nullable=True))
    op.execute("UPDATE notifications SET mail_state = 'not mailed'")
    op.create_index(
        'ix_notifications_mail_undecided',
        'notifications',
        ['id'],
        sqlite_where=sa.text('mail_state IS NULL'),
        postgresql_where=sa.text('mail_state IS NULL'),
    )
    op.add_column('outbox_mail', sa.Column('html', sa.Text(), nullable=True))
    op.add_column('outbox_mail', sa.Column('headers', sa.Text(), nullable=True))
    op.add_column('outbox_mail', sa.Column('kind', sa.String(length=40), nullable=True))


def downgrade():
    op.drop_column('outbox_mail', 'kind')
    op.drop_column('outbox_mail', 'headers')
    op.drop_column('outbox_mail', 'html')
    op.drop_index('ix_notifications_mail_undecided', table_name='notifications')
    op.drop_column('notifications', 'mail_state')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('mail_paused')
    op.drop_table('notification_preferences')
