"""stored posts: images from other sites become links to them

Post HTML is rendered once on write and stored, so the rule that an image from another site
is shown as a link (portal.markdown.remote_images_as_links: a remote image is a tracking
pixel) is applied here to what was stored before it: questions, answers, revisions, ideas,
idea comments and the guidelines. Only rows with an <img> are read and written. There is no
way back: the downgrade leaves the links.

Revision ID: 0012_remote_images_as_links
Revises: 0011_voter_and_area_indexes
Create Date: 2026-12-04 17:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

from portal.markdown import sanitize_html

# revision identifiers, used by Alembic.
revision = '0012_remote_images_as_links'
down_revision = '0011_voter_and_area_indexes'
branch_labels = None
depends_on = None

HTML_COLUMNS = [
    ('questions', 'body_html'),
    ('answers', 'body_html'),
    ('revisions', 'body_html'),
    ('ideas', 'body_html'),
    ('idea_comments', 'body_html'),
    ('site_settings', 'guidelines_html'),
]
BATCH = 500


def upgrade():
    connection = op.get_bind()
    for table_name, column_name in HTML_COLUMNS:
        table = sa.table(table_name, sa.column('id', sa.Integer), sa.column(column_name, sa.Text))
        column = table.c[column_name]
        last = 0
        while True:
            rows = connection.execute(
                sa.select(table.c.id, column)
                .where(table.c.id > last, column.like('%<img%'))
                .order_by(table.c.id)
                .limit(BATCH)
            ).all()
            if not rows:
                break
            for row_id, fragment in rows:
                rewritten = sanitize_html(fragment)
                if rewritten != fragment:
                    connection.execute(
                        table.update().where(table.c.id == row_id).values({column_name: rewritten})
                    )
            last = rows[-1][0]


def downgrade():
    pass
