"""idea status options

Statuses the admins name, colour and order within the fixed kinds (`IdeaStatus`): one default
per kind, made here, and any the admins add. Ideas and their status history point at a status
other than their kind's default.

Revision ID: 0038_idea_status_options
Revises: 0037_vector_text_hash
Create Date: 2026-12-07 04:40:00.000000

"""
import warnings
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0038_idea_status_options'
down_revision = '0037_vector_text_hash'
branch_labels = None
depends_on = None

DEFAULTS = [
    ('new', 'New', 'grey'),
    ('under_review', 'Under review', 'amber'),
    ('planned', 'Planned', 'blue'),
    ('in_progress', 'In progress', 'purple'),
    ('shipped', 'Shipped', 'green'),
    ('declined', 'Declined', 'red'),
]

TOTAL_VOTES_INDEX = (
    'CREATE INDEX IF NOT EXISTS ix_ideas_total_votes '
    'ON ideas ((vote_count + imported_votes), created_at, id)'
)


def _add_option_columns(table, *names):
    """Columns pointing at a status. SQLite cannot add a constraint to a table: batch mode
    makes the table anew, which drops the expression indexes it cannot read; `ideas` has one,
    made again here."""
    with warnings.catch_warnings(), op.batch_alter_table(table) as batch:
        warnings.filterwarnings('ignore', message='.*expression-based index')
        for name in names:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
            batch.create_foreign_key(
                op.f(f'fk_{table}_{name}_idea_status_options'), 'idea_status_options',
                [name], ['id'], ondelete='SET NULL',
            )
    if table == 'ideas' and op.get_bind().dialect.name == 'sqlite':
        op.execute(TOTAL_VOTES_INDEX)


def upgrade():
    options = op.create_table(
        'idea_status_options',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('colour', sa.String(length=20), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('is_default', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_status_options')),
        sa.UniqueConstraint('value', name=op.f('uq_idea_status_options_value')),
    )
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(options, [
        {'value': kind, 'kind': kind, 'name': name, 'colour': colour, 'position': 0,
         'is_default': True, 'created_at': now}
        for kind, name, colour in DEFAULTS
    ])
    _add_option_columns('ideas', 'status_option_id')
    op.create_index(op.f('ix_ideas_status_option_id'), 'ideas', ['status_option_id'])
    _add_option_columns('idea_status_changes', 'from_option_id', 'to_option_id')


def downgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='.*expression-based index')
        with op.batch_alter_table('idea_status_changes') as batch:
            batch.drop_column('to_option_id')
            batch.drop_column('from_option_id')
        op.drop_index(op.f('ix_ideas_status_option_id'), table_name='ideas')
        with op.batch_alter_table('ideas') as batch:
            batch.drop_column('status_option_id')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(TOTAL_VOTES_INDEX)
    op.drop_table('idea_status_options')
