"""sso providers

`sso_providers`: OpenID providers added on the administration pages.

Revision ID: 0031_sso_providers
Revises: 0030_external_identities
Create Date: 2026-12-06 22:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0031_sso_providers'
down_revision = '0030_external_identities'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sso_providers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('label', sa.String(length=60), nullable=False),
        sa.Column('issuer', sa.String(length=300), nullable=False),
        sa.Column('client_id', sa.String(length=200), nullable=False),
        sa.Column('client_secret', sa.String(length=300), nullable=False),
        sa.Column('company_claim', sa.String(length=60), nullable=False),
        sa.Column('plan_claim', sa.String(length=60), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_providers')),
        sa.UniqueConstraint('name', name=op.f('uq_sso_providers_name')),
    )


def downgrade():
    op.drop_table('sso_providers')
