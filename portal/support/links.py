"""Links to support's pages, for views, templates, notifications and structured data."""

from flask import url_for

from portal.public_url import public_url, site_path
from portal.support.models import Answer, Question


def question_url(question: Question, *, public: bool = False, **kwargs) -> str:
    """The question's URL; `public`: absolute on the configured public address, for links that
    leave the site (canonical, structured data)."""
    build = public_url if public else url_for
    return build("support.question", question_id=question.id, slug=question.slug, **kwargs)


def answer_url(answer: Answer) -> str:
    return question_url(answer.question, _anchor=f"answer-{answer.id}")


def question_path(question: Question, anchor: str | None = None) -> str:
    """The question's canonical path, also outside a request (CLI, demo, tests): notifications."""
    path = site_path("support.question", question_id=question.id, slug=question.slug)
    return f"{path}#{anchor}" if anchor else path
