"""Every "may this person do that" in one place.

Views call `require(...)`; templates call the same `can(...)` (a Jinja global), so a rule is
written once. A rule receives the user (possibly anonymous) and an optional object.
"""

from collections.abc import Callable
from enum import StrEnum

from flask import abort
from flask_login import current_user

from portal.accounts.models import Role


class Permission(StrEnum):
    POST = "post"  # ask, answer, comment, suggest an idea
    VOTE = "vote"  # obj: an idea (one's own included)
    VOTE_ON_POST = "vote_on_post"  # obj: a question or answer; never one's own
    FOLLOW = "follow"  # follow an idea (or stop following)
    EDIT_IDEA = "edit_idea"  # the idea's author, or the team (obj: the idea)
    EDIT_OWN_PROFILE = "edit_own_profile"  # name and profile shown to others
    MODERATE = "moderate"  # edit anything, delete, close, accept for others, work the review queue
    # guidelines, trust settings, the spam filter and the moderation log: community managers
    MANAGE_COMMUNITY = "manage_community"
    FLAG = "flag"  # obj: a post; report it to the moderators (never one's own)
    # obj: a person; warn or suspend them from the review queue: moderators, members only (an
    # admin handles the team)
    DISCIPLINE = "discipline"
    ANNOUNCE = "announce"  # write announcements to the community: support staff and managers
    MANAGE_EVENTS = "manage_events"  # plan and change events: support staff and managers
    RUN_POLLS = "run_polls"  # start and close polls, read results early: the team
    MANAGE_IDEAS = "manage_ideas"  # change idea status, merge ideas, vote on behalf of customers
    VIEW_INSIGHTS = "view_insights"
    ADMINISTER = "administer"  # users and roles, product areas, plans, brand, guidelines
    ACCEPT_ANSWER = "accept_answer"  # obj: the question; its asker or support staff
    EDIT_POST = "edit_post"  # obj: a question or answer; its author or support staff
    # obj: a person; their company and plan (a customer segment): the team, or themselves
    VIEW_SEGMENT = "view_segment"


TEAM_MODERATORS = {Role.STAFF, Role.MANAGER, Role.ADMIN}
IDEA_MANAGERS = {Role.STAFF, Role.PRODUCT, Role.MANAGER, Role.ADMIN}
COMMUNITY_MANAGERS = {Role.MANAGER, Role.ADMIN}


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _active(user) -> bool:
    """Signed in and not suspended: may contribute."""
    return _signed_in(user) and not user.is_suspended


def _has_role(*roles: Role) -> Callable:
    """The team's powers: a suspended person keeps their role but none of its powers, so
    lifting the suspension (which only another admin can do) gives them back unchanged."""

    def rule(user, _obj=None) -> bool:
        return _active(user) and user.role in roles

    return rule


def _author_or_moderator(user, post=None) -> bool:
    """Support staff, or the active author of `post` (for a question: the asker)."""
    if not _active(user):
        return False
    if user.role in TEAM_MODERATORS:
        return True
    return post is not None and post.author_id == user.id


_team = _has_role(*IDEA_MANAGERS)  # staff, product and admins: who speak for the brand

RULES: dict[Permission, Callable] = {
    Permission.POST: lambda user, obj=None: _active(user),
    Permission.VOTE: lambda user, obj=None: _active(user),
    Permission.VOTE_ON_POST: lambda user, obj=None: (
        _active(user) and (obj is None or obj.author_id != user.id)
    ),
    Permission.FOLLOW: lambda user, obj=None: _active(user),
    Permission.EDIT_IDEA: lambda user, obj=None: (
        _active(user)
        and (
            user.role in IDEA_MANAGERS | TEAM_MODERATORS
            or (obj is not None and obj.author_id == user.id)
        )
    ),
    Permission.EDIT_OWN_PROFILE: lambda user, obj=None: _active(user),
    Permission.MODERATE: _has_role(*TEAM_MODERATORS),
    Permission.MANAGE_COMMUNITY: _has_role(*COMMUNITY_MANAGERS),
    Permission.DISCIPLINE: lambda user, obj=None: (
        _has_role(*TEAM_MODERATORS)(user) and (obj is None or obj.role == Role.MEMBER)
    ),
    Permission.FLAG: lambda user, obj=None: (
        _active(user) and (obj is None or getattr(obj, "author_id", None) != user.id)
    ),
    Permission.ANNOUNCE: _has_role(*TEAM_MODERATORS),
    Permission.MANAGE_EVENTS: _has_role(*TEAM_MODERATORS),
    Permission.RUN_POLLS: _has_role(*(TEAM_MODERATORS | IDEA_MANAGERS)),
    Permission.MANAGE_IDEAS: _team,
    Permission.VIEW_INSIGHTS: _team,
    Permission.ADMINISTER: _has_role(Role.ADMIN),
    Permission.ACCEPT_ANSWER: _author_or_moderator,
    Permission.EDIT_POST: _author_or_moderator,
    Permission.VIEW_SEGMENT: lambda user, obj=None: (
        _team(user) or (_signed_in(user) and obj is not None and obj.id == user.id)
    ),
}


def can(user, permission: Permission, obj=None) -> bool:
    return RULES[permission](user, obj)


def offered(permission: Permission, obj=None, user=None) -> bool:
    """Whether a page shows the control for `permission`: to anyone who may use it, and to
    anonymous visitors, whom it asks to log in. Never to a signed-in person it would refuse."""
    user = user if user is not None else current_user
    return not _signed_in(user) or can(user, permission, obj)


class Forbidden(Exception):
    """Raised by `require`; the error handler turns it into a 403 page that says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def require(permission: Permission, obj=None, user=None) -> None:
    """Stop the request unless `user` (default: the current user) may do this.

    Anonymous visitors are sent to log in; suspended people (of any role) are told why they
    cannot act: they may read what members read, and nothing else.
    """
    from portal.extensions import login_manager

    user = user if user is not None else current_user
    if can(user, permission, obj):
        return
    if not _signed_in(user):
        abort(login_manager.unauthorized())
    if user.is_suspended:
        reason = user.suspension_reason or "no reason was given"
        until = (
            f"until {user.suspended_until:%d %B %Y, %H:%M} UTC"
            if user.suspended_until
            else "until a moderator lifts the suspension"
        )
        raise Forbidden(
            f"Your account is suspended ({reason}). You can still read, but not post, vote "
            f"or change anything {until}."
        )
    raise Forbidden("You do not have permission to do that.")
