"""vector text hash

`search_vectors.text_hash`: a digest of the text a vector was made from, so a document whose
text did not change (a question that got an answer) is not embedded and written again.

Revision ID: 0037_vector_text_hash
Revises: 0036_badges
Create Date: 2026-12-07 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0037_vector_text_hash'
down_revision = '0036_badges'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('search_vectors', sa.Column('text_hash', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('search_vectors') as batch:
        batch.drop_column('text_hash')
