"""answers withheld for review no longer count towards a question's answer times

A pending or hidden answer made its question look answered (first_answer_at) or solved in
insights, though no one but its author and the moderators could read it. The answer-time
triggers are made again counting only answers everyone sees, and the times recomputed.

Revision ID: 0021_withheld_answers_untimed
Revises: 0020_appeals
Create Date: 2026-12-05 20:30:00.000000

"""
from alembic import op

from portal.insights import rollups


revision = '0021_withheld_answers_untimed'
down_revision = '0020_appeals'
branch_labels = None
depends_on = None


def _reinstall(count):
    connection = op.get_bind()
    rollups.drop_answer_time_triggers(connection)
    rollups.install_answer_time_triggers(connection, count)
    rollups.rebuild_answer_times(connection, count)


def upgrade():
    _reinstall(rollups.ANSWERS)


def downgrade():
    _reinstall(rollups.ANSWERS_0009)
