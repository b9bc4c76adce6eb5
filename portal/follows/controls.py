"""The control that sets what a member follows, for a feature's page to put in its slot."""

from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup

from portal.follows.services import followed_by, level_of
from portal.follows.targets import TARGETS, target_of


def follow_control(kind: str, target_id: int, *, compact: bool = False) -> Markup:
    """The viewer's level with a way to change it; for a visitor, a way to log in first."""
    return Markup(
        render_template(
            "follows/_control.html",
            kind=kind,
            target_id=target_id,
            target=target_of(kind),
            level=level_of(current_user, kind, target_id),
            compact=compact,
            here=request.full_path.rstrip("?"),
        )
    )


def what_they_follow(user) -> list[dict]:
    """What the member watches or muted, named and linked, for their settings; what is gone
    or hidden from them since is left out."""
    rows = []
    for follow in followed_by(user):
        target = TARGETS.get(follow.target_kind)
        found = target.find(follow.target_id, user) if target else None
        if found is not None:
            name, url = found
            rows.append({"label": target.label, "name": name, "url": url, "level": follow.level})
    return rows
