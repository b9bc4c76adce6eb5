"""spam filter: fingerprints of scored posts, moderators' decisions, trained models

New posts are scored by portal/moderation/spam.py. spam_fingerprints remembers each scored
post's author, time and a hash of its normalised text, so repeated text and posting speed are
counted without reading the features' tables; spam_examples keeps labelled text from
moderators' decisions for training; spam_models keeps each training's classifier as plain
arrays (JSON parameters and an .npz of weights, never a pickle), the newest in use.

Revision ID: 0016_spam_filter
Revises: 0015_moderation
Create Date: 2026-12-05 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_spam_filter'
down_revision = '0015_moderation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spam_fingerprints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_spam_fingerprints_author_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spam_fingerprints'))
    )
    with op.batch_alter_table('spam_fingerprints', schema=None) as batch_op:
        batch_op.create_index('ix_spam_fingerprints_author_id_created_at', ['author_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_spam_fingerprints_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_spam_fingerprints_text_hash_created_at', ['text_hash', 'created_at'], unique=False)

    op.create_table('spam_examples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('is_spam', sa.Boolean(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_spam_examples_decided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spam_examples'))
    )
    with op.batch_alter_table('spam_examples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spam_examples_decided_by_id'), ['decided_by_id'], unique=False)

    op.create_table('spam_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('vectorizer', sa.JSON(), nullable=False),
    sa.Column('weights', sa.LargeBinary(), nullable=False),
    sa.Column('intercept', sa.Double(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spam_models'))
    )


def downgrade():
    op.drop_table('spam_models')
    with op.batch_alter_table('spam_examples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spam_examples_decided_by_id'))
    op.drop_table('spam_examples')
    with op.batch_alter_table('spam_fingerprints', schema=None) as batch_op:
        batch_op.drop_index('ix_spam_fingerprints_text_hash_created_at')
        batch_op.drop_index(batch_op.f('ix_spam_fingerprints_created_at'))
        batch_op.drop_index('ix_spam_fingerprints_author_id_created_at')
    op.drop_table('spam_fingerprints')
