"""Polls: the team asks the community a question with a few answers to choose from, on its own
or under a question, an idea, an announcement or an event. Members cast one ballot each,
changeable until the poll closes; the results show after voting or only after the close."""

from flask import Blueprint

bp = Blueprint("polls", __name__)

from portal.polls import attached, insights, search, views  # noqa: E402, F401  (parts on other pages, insights figures, search documents, routes)
