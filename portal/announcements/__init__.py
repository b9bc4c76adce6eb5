"""Announcements: the team writes to the community (everyone, a product area's watchers, a
plan's or a company's members); each is a page and a notification, by mail unless a member
turned announcements off."""

from flask import Blueprint

bp = Blueprint("announcements", __name__)

from portal.announcements import subjects, views  # noqa: E402, F401  (notification subject, routes)
