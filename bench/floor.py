"""The floor for bench/pages.py: a bare Flask view that renders the same question page content
(question, answers, authors) from the same database with one hand-written query and nothing
else: no ORM, no sessions, no login, no layout. Our page's ratio to it is the price of
everything the portal adds.

Run by bench/pages.py with gunicorn: `gunicorn bench.floor:app` (PORTAL_DATABASE_URL set).
"""

import os

from flask import Flask, abort, render_template_string
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(os.environ["PORTAL_DATABASE_URL"], pool_size=8)

QUESTION_PAGE = text(
    """
    SELECT q.id, q.title, q.body_html, q.score + q.imported_score AS score, q.view_count,
           q.created_at, asker.display_name AS asker,
           a.id AS answer_id, a.body_html AS answer_html,
           a.score + a.imported_score AS answer_score, a.is_accepted,
           a.created_at AS answered_at, answerer.display_name AS answerer
    FROM questions q
    LEFT JOIN users asker ON asker.id = q.author_id
    LEFT JOIN answers a ON a.question_id = q.id AND a.deleted_at IS NULL
    LEFT JOIN users answerer ON answerer.id = a.author_id
    WHERE q.id = :question_id AND q.deleted_at IS NULL
    ORDER BY a.is_accepted DESC, a.score + a.imported_score DESC, a.created_at, a.id
    """
)

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ q.title }}</title></head><body><main>
<h1>{{ q.title }}</h1>
<p>Asked {{ q.created_at }} by {{ q.asker }} · viewed {{ q.view_count }} times
· {{ q.score }} votes</p>
<div>{{ q.body_html | safe }}</div>
<h2>{{ answers | length }} answers</h2>
{% for a in answers %}<article id="answer-{{ a.answer_id }}">
<p>{{ a.answer_score }} votes{% if a.is_accepted %} · Accepted{% endif %}</p>
<div>{{ a.answer_html | safe }}</div>
<p>Answered {{ a.answered_at }} by {{ a.answerer }}</p>
</article>{% endfor %}
</main></body></html>"""


@app.get("/questions/<int:question_id>")
def question(question_id: int):
    with engine.connect() as connection:
        rows = connection.execute(QUESTION_PAGE, {"question_id": question_id}).all()
    if not rows:
        abort(404)
    answers = [row for row in rows if row.answer_id is not None]
    return render_template_string(TEMPLATE, q=rows[0], answers=answers)
