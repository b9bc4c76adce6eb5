"""external identities

`external_identities`: members' accounts at OpenID providers, linked to theirs.

Revision ID: 0030_external_identities
Revises: 0029_webhooks
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0030_external_identities'
down_revision = '0029_webhooks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'external_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_sign_in_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_external_identities_user_id_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_external_identities')),
        sa.UniqueConstraint(
            'provider', 'subject', name=op.f('uq_external_identities_provider_subject')
        ),
    )
    op.create_index(
        op.f('ix_external_identities_user_id'), 'external_identities', ['user_id'], unique=False
    )


def downgrade():
    op.drop_index(op.f('ix_external_identities_user_id'), table_name='external_identities')
    op.drop_table('external_identities')
