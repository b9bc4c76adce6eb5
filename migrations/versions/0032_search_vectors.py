"""search vectors

`search_vectors`: each question's and idea's sentence embedding, for similar items.

Revision ID: 0032_search_vectors
Revises: 0031_sso_providers
Create Date: 2026-12-06 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0032_search_vectors'
down_revision = '0031_sso_providers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_vectors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('doc_type', sa.String(length=20), nullable=False),
        sa.Column('doc_id', sa.Integer(), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=True),
        sa.Column('scale', sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_vectors')),
        sa.UniqueConstraint('doc_type', 'doc_id', name=op.f('uq_search_vectors_doc_type_doc_id')),
    )


def downgrade():
    op.drop_table('search_vectors')
