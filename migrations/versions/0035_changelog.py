"""changelog

`changelog_entries` and `changelog_ideas`: what the product team published as shipped, the
ideas each entry ships, and how many voters, followers and askers were told.

Revision ID: 0035_changelog
Revises: 0034_polls
Create Date: 2026-12-07 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0035_changelog'
down_revision = '0034_polls'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'changelog_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=150), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.Column('voters_told', sa.Integer(), nullable=False),
        sa.Column('askers_told', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_changelog_entries_author_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_changelog_entries')),
    )
    op.create_index(op.f('ix_changelog_entries_published_at'), 'changelog_entries', ['published_at'], unique=False)
    op.create_table(
        'changelog_ideas',
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['changelog_entries.id'], name=op.f('fk_changelog_ideas_entry_id_changelog_entries'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_changelog_ideas_idea_id_ideas'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('entry_id', 'idea_id', name=op.f('pk_changelog_ideas')),
    )
    op.create_index(op.f('ix_changelog_ideas_idea_id'), 'changelog_ideas', ['idea_id'], unique=False)


def downgrade():
    op.drop_table('changelog_ideas')
    op.drop_table('changelog_entries')
