"""The permission matrix: every state-changing (and every restricted) endpoint against every role.

Each Case names a request and the status each kind of person gets. `author` is the person who owns
the world's objects (a member). Later features add their objects to `World` and their cases to
CASES. Anonymous visitors are sent to log in (302) wherever a login would help.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from portal.accounts.models import User
from portal.extensions import db
from portal.notifications.preferences import BY_NAME, unsubscribe_token
from portal.notifications.services import notify
from tests.conftest import BACKEND, Snapshot, login

# Suspended staff, product, community managers and admins keep their role but none of its powers.
SUSPENDED_TEAM = ["suspended_staff", "suspended_product", "suspended_manager", "suspended_admin"]
TEAM_ROLES = {"staff", "product", "manager", "admin"}
PEOPLE = [
    "anonymous",
    "member",
    "author",
    "suspended",
    "staff",
    "product",
    "manager",
    "admin",
    *SUSPENDED_TEAM,
]


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)


def everyone(status: int, **overrides: int) -> dict[str, int]:
    expect = {person: overrides.get(person, status) for person in PEOPLE}
    # A community manager has every power of support staff unless a case says otherwise.
    expect["manager"] = overrides.get("manager", expect["staff"])
    # A suspended person of any role may read what a suspended member reads, and nothing else.
    for person in SUSPENDED_TEAM:
        expect[person] = expect["suspended"]
    return expect


def signed_in(status: int, **overrides: int) -> dict[str, int]:
    return everyone(status, **{"anonymous": 302, **overrides})


ADMIN_ONLY = signed_in(403, admin=200)
COMMUNITY_MANAGERS = signed_in(403, manager=200, admin=200)
COMMUNITY_MANAGERS_WRITE = signed_in(403, manager=302, admin=302)
TEAM_INSIGHTS = signed_in(403, staff=200, product=200, admin=200)
ADMIN_ONLY_WRITE = signed_in(403, admin=302)
IDEA_TEAM_WRITE = signed_in(403, staff=302, product=302, admin=302)
CONTRIBUTE_WRITE = signed_in(302, suspended=403)


@dataclass
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    expect: dict[str, int]
    data: Callable[[World], dict] = lambda world: {}
    # A 302 for an anonymous visitor means "log in first", unless the endpoint redirects everyone.
    anonymous_goes_to_login: bool = True
    # An API call: the person calls with their token (every scope), never a cookie, and sends
    # `data` as JSON.
    api: bool = False


TOPIC_NAMES = tuple(BY_NAME)
CASES = [
    Case("home", "GET", lambda w: "/", everyone(200)),
    Case("guidelines", "GET", lambda w: "/guidelines", everyone(200)),
    Case("register form", "GET", lambda w: "/register", everyone(302, anonymous=200)),
    Case("check your inbox", "GET", lambda w: "/register/check-email", everyone(200)),
    Case("forgot password form", "GET", lambda w: "/password/forgot", everyone(200)),
    Case(
        "ask for a reset link",
        "POST",
        lambda w: "/password/forgot",
        everyone(200),
        data=lambda w: {"email": "someone@example.com"},
    ),
    Case(
        "confirm with a bad token",
        "GET",
        lambda w: "/confirm/forged",
        everyone(302),
        anonymous_goes_to_login=False,
    ),
    Case(
        "reset with a bad token",
        "GET",
        lambda w: "/password/reset/forged",
        everyone(302),
        anonymous_goes_to_login=False,
    ),
    Case("profile", "GET", lambda w: f"/users/{w.users['author'].id}", everyone(200)),
    Case("settings", "GET", lambda w: "/settings", signed_in(200)),
    Case(
        "save profile",
        "POST",
        lambda w: "/settings",
        CONTRIBUTE_WRITE,
        data=lambda w: {"display_name": "A new name", "company": ""},
    ),
    Case("notifications", "GET", lambda w: "/notifications", signed_in(200)),
    # A suspended member still chooses what mail they get.
    Case("notification settings", "GET", lambda w: "/settings/notifications", signed_in(200)),
    Case(
        "save notification settings",
        "POST",
        lambda w: "/settings/notifications",
        signed_in(302),
        data=lambda w: dict.fromkeys(TOPIC_NAMES, "app") | {"summary": "off"},
    ),
    Case(
        "my address works again",
        "POST",
        lambda w: "/settings/notifications/address",
        signed_in(302),
    ),
    Case("admin: mail", "GET", lambda w: "/admin/mail", ADMIN_ONLY),
    Case(
        "admin: send a test mail",
        "POST",
        lambda w: "/admin/mail",
        ADMIN_ONLY,
        data=lambda w: {"address": "ops@example.com"},
    ),
    # The signed link is the authority: anyone holding it may stop that mail, nothing more.
    Case(
        "stop a kind of mail (page)",
        "GET",
        lambda w: f"/mail/unsubscribe/{w.ids['unsubscribe']}",
        everyone(200),
    ),
    Case(
        "stop a kind of mail (one click)",
        "POST",
        lambda w: f"/mail/unsubscribe/{w.ids['unsubscribe']}",
        everyone(204),
        data=lambda w: {"List-Unsubscribe": "One-Click"},
    ),
    Case("mark all notifications read", "POST", lambda w: "/notifications/read", signed_in(302)),
    Case(
        "open the author's notification",
        "POST",
        lambda w: f"/notifications/{w.ids['notification']}/open",
        signed_in(404, author=302),
    ),
    Case(
        "markdown preview",
        "POST",
        lambda w: "/markdown/preview",
        signed_in(200, suspended=403, anonymous=403),
        data=lambda w: {"text": "**hi**"},
    ),
    Case(
        "link a question to an idea",
        "POST",
        lambda w: f"/questions/{w.ids['question']}/ideas",
        signed_in(403, staff=302, product=302, admin=302),
        data=lambda w: {"idea": str(w.ids["idea"])},
    ),
    Case(
        "unlink a question from an idea",
        "POST",
        lambda w: f"/questions/{w.ids['question']}/ideas/{w.ids['idea']}/unlink",
        signed_in(403, staff=302, product=302, admin=302),
    ),
    Case(
        "turn a question into an idea",
        "POST",
        lambda w: f"/questions/{w.ids['question']}/to-idea",
        signed_in(403, staff=302, product=302, admin=302),
    ),
    Case("search", "GET", lambda w: "/search?q=billing", everyone(200)),
    Case("similar items", "GET", lambda w: "/search/similar?q=billing", everyone(200)),
    Case("insights dashboard", "GET", lambda w: "/insights", TEAM_INSIGHTS),
    Case("insights CSV", "GET", lambda w: "/insights/data/activity.csv", TEAM_INSIGHTS),
    Case("feedback report", "GET", lambda w: "/insights/report?format=md", TEAM_INSIGHTS),
    Case("logout", "POST", lambda w: "/logout", everyone(302), anonymous_goes_to_login=False),
    Case("admin: people", "GET", lambda w: "/admin/users", ADMIN_ONLY),
    Case("admin: person", "GET", lambda w: f"/admin/users/{w.users['author'].id}", ADMIN_ONLY),
    Case(
        "admin: change role",
        "POST",
        lambda w: f"/admin/users/{w.users['author'].id}/role",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"role-role": "member"},
    ),
    Case(
        "admin: suspend",
        "POST",
        lambda w: f"/admin/users/{w.users['author'].id}/suspend",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"suspend-reason": "testing"},
    ),
    Case(
        "admin: unsuspend",
        "POST",
        lambda w: f"/admin/users/{w.users['suspended'].id}/unsuspend",
        ADMIN_ONLY_WRITE,
    ),
    Case(
        "admin: resend confirmation",
        "POST",
        lambda w: f"/admin/users/{w.users['author'].id}/confirmation",
        ADMIN_ONLY_WRITE,
    ),
    Case(
        "admin: mark confirmed",
        "POST",
        lambda w: f"/admin/users/{w.users['author'].id}/confirm",
        ADMIN_ONLY_WRITE,
    ),
    Case("admin: product areas", "GET", lambda w: "/admin/areas", ADMIN_ONLY),
    Case(
        "admin: add product area",
        "POST",
        lambda w: "/admin/areas",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"name": "New area"},
    ),
    Case("admin: plans", "GET", lambda w: "/admin/plans", ADMIN_ONLY),
    Case(
        "admin: add plan",
        "POST",
        lambda w: "/admin/plans",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"name": "Gold", "weight": "2"},
    ),
    Case("admin: idea statuses", "GET", lambda w: "/admin/statuses", ADMIN_ONLY),
    Case(
        "admin: add idea status",
        "POST",
        lambda w: "/admin/statuses",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"kind": "in_progress", "name": "Beta", "colour": "teal"},
    ),
    Case("admin: edit idea status", "GET", lambda w: "/admin/statuses/1", ADMIN_ONLY),
    Case(
        "admin: rename idea status",
        "POST",
        lambda w: "/admin/statuses/1",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"name": "Fresh", "colour": "blue"},
    ),
    Case(
        "admin: move idea status",
        "POST",
        lambda w: "/admin/statuses/4/move",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"direction": "down"},
    ),
    Case("admin: brand", "GET", lambda w: "/admin/brand", ADMIN_ONLY),
    Case(
        "admin: save brand",
        "POST",
        lambda w: "/admin/brand",
        ADMIN_ONLY_WRITE,
        data=lambda w: {"community_name": "X", "tagline": "", "primary_color": "#2457c5"},
    ),
    Case("admin: remove logo", "POST", lambda w: "/admin/brand/logo/remove", ADMIN_ONLY_WRITE),
    Case("ideas: board", "GET", lambda w: "/ideas?sort=trending&status=all", everyone(200)),
    Case("ideas: roadmap", "GET", lambda w: "/roadmap", everyone(200)),
    Case("ideas: idea", "GET", lambda w: f"/ideas/{w.ids['idea']}", everyone(200)),
    Case("ideas: missing idea", "GET", lambda w: "/ideas/987654", everyone(404)),
    Case("ideas: new form", "GET", lambda w: "/ideas/new", signed_in(200, suspended=403)),
    Case(
        "ideas: suggest",
        "POST",
        lambda w: "/ideas/new",
        CONTRIBUTE_WRITE,
        data=lambda w: {"title": "A new idea from the matrix", "description": "", "area": ""},
    ),
    Case(
        "ideas: edit form",
        "GET",
        lambda w: f"/ideas/{w.ids['idea']}/edit",
        signed_in(403, author=200, staff=200, product=200, admin=200),
    ),
    Case(
        "ideas: edit",
        "POST",
        lambda w: f"/ideas/{w.ids['idea']}/edit",
        signed_in(403, author=302, staff=302, product=302, admin=302),
        data=lambda w: {"title": "An edited idea title", "description": "", "area": ""},
    ),
    Case("ideas: vote", "POST", lambda w: f"/ideas/{w.ids['idea']}/vote", CONTRIBUTE_WRITE),
    Case("announcements", "GET", lambda w: "/announcements", everyone(200)),
    Case(
        "write an announcement",
        "GET",
        lambda w: "/announcements/new",
        signed_in(403, staff=200, admin=200),
    ),
    Case(
        "send an announcement",
        "POST",
        lambda w: "/announcements/new",
        signed_in(403, staff=302, admin=302),
        data=lambda w: {
            "title": "Matrix news",
            "body": "Hello.",
            "audience": "everyone",
            "action": "send",
        },
    ),
    Case("events", "GET", lambda w: "/events", everyone(200)),
    Case("event page", "GET", lambda w: f"/events/{w.ids['event']}", everyone(200)),
    Case("event calendar file", "GET", lambda w: f"/events/{w.ids['event']}.ics", everyone(200)),
    Case("events calendar feed", "GET", lambda w: "/events.ics", everyone(200)),
    Case("plan an event", "GET", lambda w: "/events/new", signed_in(403, staff=200, admin=200)),
    Case(
        "edit an event",
        "GET",
        lambda w: f"/events/{w.ids['event']}/edit",
        signed_in(403, staff=200, admin=200),
    ),
    Case(
        "publish an event",
        "POST",
        lambda w: "/events/new",
        signed_in(403, staff=302, admin=302),
        data=lambda w: {
            "kind": "event",
            "title": "Matrix meetup",
            "body": "Hello.",
            "starts": "2099-06-01T10:00",
            "ends": "2099-06-01T11:00",
            "time_zone": "Europe/Berlin",
            "location": "Berlin office",
        },
    ),
    Case(
        "answer an event",
        "POST",
        lambda w: f"/events/{w.ids['event']}/response",
        CONTRIBUTE_WRITE,
        data=lambda w: {"response": "going"},
    ),
    Case(
        "ask at an AMA",
        "POST",
        lambda w: f"/events/{w.ids['ama']}/questions",
        CONTRIBUTE_WRITE,
        data=lambda w: {
            "title": "A question for the matrix session?",
            "body": "Asked by everyone in the permission matrix.",
        },
    ),
    Case(
        "vote up an AMA question",
        "POST",
        lambda w: f"/events/{w.ids['ama']}/questions/{w.ids['ama_question']}/vote",
        {**CONTRIBUTE_WRITE, "author": 403},  # never on one's own question
        data=lambda w: {"value": "up"},
    ),
    Case("leaderboard", "GET", lambda w: "/leaderboard", everyone(200)),
    Case("changelog", "GET", lambda w: "/changelog", everyone(200)),
    Case("changelog feed", "GET", lambda w: "/changelog.atom", everyone(200)),
    Case(
        "changelog form",
        "GET",
        lambda w: "/changelog/new",
        signed_in(403, staff=200, product=200, admin=200),
    ),
    Case(
        "publish a changelog entry",
        "POST",
        lambda w: "/changelog/new",
        IDEA_TEAM_WRITE,
        data=lambda w: {"title": "Matrix release", "body": "Shipped.", "ideas": str(w.ids["idea"])},
    ),
    Case("polls", "GET", lambda w: "/polls", everyone(200)),
    Case("poll page", "GET", lambda w: f"/polls/{w.ids['poll']}", everyone(200)),
    Case(
        "start a poll form",
        "GET",
        lambda w: f"/polls/new?on=idea:{w.ids['idea']}",
        signed_in(403, staff=200, product=200, admin=200),
    ),
    Case(
        "start a poll",
        "POST",
        lambda w: "/polls/new",
        signed_in(403, staff=302, product=302, admin=302),
        data=lambda w: {"title": "Matrix poll?", "options": "Yes\nNo", "results_after": "voted"},
    ),
    Case(
        "vote in a poll",
        "POST",
        lambda w: f"/polls/{w.ids['poll']}/ballot",
        CONTRIBUTE_WRITE,
        data=lambda w: {"choice": str(w.ids["poll_option"])},
    ),
    Case(
        "withdraw a poll vote",
        "POST",
        lambda w: f"/polls/{w.ids['poll']}/withdraw",
        CONTRIBUTE_WRITE,
    ),
    Case(
        "close a poll",
        "POST",
        lambda w: f"/polls/{w.ids['poll']}/close",
        signed_in(403, staff=302, product=302, admin=302),
    ),
    Case("mention suggestions", "GET", lambda w: "/mentions?q=a", signed_in(200, suspended=403)),
    Case(
        "watch a product area",
        "POST",
        lambda w: f"/follow/area/{w.ids['area']}",
        CONTRIBUTE_WRITE,
        data=lambda w: {"level": "watching"},
    ),
    Case(
        "watch a deleted question",
        "POST",
        lambda w: f"/follow/question/{w.ids['deleted_question']}",
        signed_in(404, staff=302, admin=302),
        data=lambda w: {"level": "watching"},
    ),
    Case("ideas: follow", "POST", lambda w: f"/ideas/{w.ids['idea']}/follow", CONTRIBUTE_WRITE),
    Case("ideas: unfollow", "POST", lambda w: f"/ideas/{w.ids['idea']}/unfollow", CONTRIBUTE_WRITE),
    Case(
        "ideas: comment",
        "POST",
        lambda w: f"/ideas/{w.ids['idea']}/comments",
        CONTRIBUTE_WRITE,
        data=lambda w: {"comment-body": "A comment"},
    ),
    Case(
        "ideas: vote on behalf",
        "POST",
        lambda w: f"/ideas/{w.ids['idea']}/votes/behalf",
        IDEA_TEAM_WRITE,
        data=lambda w: {"behalf-customer": w.users["member"].email},
    ),
    Case(
        "ideas: mark official response",
        "POST",
        lambda w: f"/ideas/{w.ids['idea']}/comments/{w.ids['idea_comment']}/official",
        IDEA_TEAM_WRITE,
    ),
    Case(
        "ideas: change status",
        "POST",
        lambda w: f"/ideas/{w.ids['idea']}/status",
        IDEA_TEAM_WRITE,
        data=lambda w: {"status-status": "planned", "status-note": "Next quarter."},
    ),
    Case(
        "ideas: merge",
        "POST",
        lambda w: f"/ideas/{w.ids['idea']}/merge",
        IDEA_TEAM_WRITE,
        data=lambda w: {"merge-target": str(w.ids["other_idea"])},
    ),
    Case("admin: guidelines", "GET", lambda w: "/admin/guidelines", COMMUNITY_MANAGERS),
    Case("admin", "GET", lambda w: "/admin", signed_in(403, manager=302, admin=302)),
    Case(
        "admin: publish guidelines",
        "POST",
        lambda w: "/admin/guidelines",
        COMMUNITY_MANAGERS_WRITE,
        data=lambda w: {"guidelines": "Be kind."},
    ),
]

STAFF_ONLY = signed_in(403, staff=200, admin=200)
STAFF_ONLY_WRITE = signed_in(403, staff=302, admin=302)
CONTRIBUTE = signed_in(302, suspended=403)
ANSWER_TEXT = "Open Settings, then Integrations, then reconnect Slack."
COMMENT_TEXT = "Which version of the app are you on?"

SUPPORT_CASES = [
    Case("questions", "GET", lambda w: "/questions", everyone(200)),
    Case("questions tab", "GET", lambda w: "/questions?tab=solved", everyone(200)),
    Case("question", "GET", lambda w: f"/questions/{w.ids['question']}", everyone(200)),
    Case("missing question", "GET", lambda w: "/questions/999999", everyone(404)),
    Case(
        "deleted question",
        "GET",
        lambda w: f"/questions/{w.ids['deleted_question']}",
        everyone(404, staff=200, admin=200),
    ),
    Case(
        "answer link",
        "GET",
        lambda w: f"/answers/{w.ids['answer']}",
        everyone(302),
        anonymous_goes_to_login=False,
    ),
    Case("tag suggestions", "GET", lambda w: "/questions/tags?q=sl", everyone(200)),
    Case(
        "question history",
        "GET",
        lambda w: f"/questions/{w.ids['question']}/revisions",
        everyone(200),
    ),
    Case("answer history", "GET", lambda w: f"/answers/{w.ids['answer']}/revisions", everyone(200)),
    Case("unanswered queue", "GET", lambda w: "/questions/unanswered", STAFF_ONLY),
    Case("ask form", "GET", lambda w: "/questions/ask", signed_in(200, suspended=403)),
    Case(
        "ask",
        "POST",
        lambda w: "/questions/ask",
        CONTRIBUTE,
        data=lambda w: {
            "title": "How do I reconnect Slack after a reset?",
            "body": "The Slack integration stopped posting after our workspace reset.",
            "area": w.ids["area_slug"],
            "tags": "slack",
        },
    ),
    Case(
        "answer",
        "POST",
        lambda w: f"/questions/{w.ids['question']}/answers",
        CONTRIBUTE,
        data=lambda w: {"body": ANSWER_TEXT},
    ),
    Case(
        "vote on question",
        "POST",
        lambda w: f"/questions/{w.ids['question']}/vote",
        CONTRIBUTE,
        data=lambda w: {"value": "up"},
    ),
    Case(
        "vote on answer",
        "POST",
        lambda w: f"/answers/{w.ids['answer']}/vote",
        CONTRIBUTE,
        data=lambda w: {"value": "down"},
    ),
    Case(
        "accept",
        "POST",
        lambda w: f"/answers/{w.ids['answer']}/accept",
        signed_in(403, author=302, staff=302, admin=302),
    ),
    Case(
        "unaccept",
        "POST",
        lambda w: f"/answers/{w.ids['accepted_answer']}/unaccept",
        signed_in(403, author=302, staff=302, admin=302),
    ),
    Case(
        "comment on question",
        "POST",
        lambda w: f"/questions/{w.ids['question']}/comments",
        CONTRIBUTE,
        data=lambda w: {f"question-{w.ids['question']}-body": COMMENT_TEXT},
    ),
    Case(
        "comment on answer",
        "POST",
        lambda w: f"/answers/{w.ids['answer']}/comments",
        CONTRIBUTE,
        data=lambda w: {f"answer-{w.ids['answer']}-body": COMMENT_TEXT},
    ),
    Case(
        "edit question form",
        "GET",
        lambda w: f"/questions/{w.ids['question']}/edit",
        signed_in(403, author=200, staff=200, admin=200),
    ),
    Case(
        "edit question",
        "POST",
        lambda w: f"/questions/{w.ids['question']}/edit",
        signed_in(403, author=302, staff=302, admin=302),
        data=lambda w: {
            "title": "A clearer title for the question",
            "body": "Clearer details about what was tried and what happened.",
            "area": w.ids["area_slug"],
            "tags": "",
        },
    ),
    Case(
        "edit own answer form",
        "GET",
        lambda w: f"/answers/{w.ids['own_answer']}/edit",
        signed_in(403, author=200, staff=200, admin=200),
    ),
    Case(
        "edit answer",
        "POST",
        lambda w: f"/answers/{w.ids['own_answer']}/edit",
        signed_in(403, author=302, staff=302, admin=302),
        data=lambda w: {"body": ANSWER_TEXT},
    ),
    Case(
        "delete question",
        "POST",
        lambda w: f"/questions/{w.ids['question']}/delete",
        STAFF_ONLY_WRITE,
    ),
    Case(
        "undelete question",
        "POST",
        lambda w: f"/questions/{w.ids['deleted_question']}/undelete",
        signed_in(404, staff=302, admin=302),
    ),
    Case("delete answer", "POST", lambda w: f"/answers/{w.ids['answer']}/delete", STAFF_ONLY_WRITE),
    Case(
        "undelete answer",
        "POST",
        lambda w: f"/answers/{w.ids['deleted_answer']}/undelete",
        signed_in(404, staff=302, admin=302),
    ),
    Case("close form", "GET", lambda w: f"/questions/{w.ids['question']}/close", STAFF_ONLY),
    Case(
        "close as duplicate",
        "POST",
        lambda w: f"/questions/{w.ids['question']}/close",
        STAFF_ONLY_WRITE,
        data=lambda w: {"duplicate_of": str(w.ids["other_question"])},
    ),
    Case(
        "reopen",
        "POST",
        lambda w: f"/questions/{w.ids['closed_question']}/reopen",
        STAFF_ONLY_WRITE,
    ),
    Case(
        "delete comment",
        "POST",
        lambda w: f"/comments/{w.ids['comment']}/delete",
        signed_in(403, author=302, staff=302, admin=302),
    ),
]
CASES += SUPPORT_CASES

MODERATION_CASES = [
    Case("review queue", "GET", lambda w: "/moderation", STAFF_ONLY),
    Case("possible duplicates", "GET", lambda w: "/moderation/duplicates", TEAM_INSIGHTS),
    Case("moderation log", "GET", lambda w: "/moderation/log", COMMUNITY_MANAGERS),
    Case("moderation log CSV", "GET", lambda w: "/moderation/log.csv", COMMUNITY_MANAGERS),
    Case(
        "flag a post",
        "POST",
        lambda w: "/flags",
        CONTRIBUTE_WRITE,
        data=lambda w: {"kind": "answer", "post_id": str(w.ids["answer"]), "reason": "spam"},
    ),
    Case(
        "retract a flag",
        "POST",
        lambda w: "/flags/retract",
        CONTRIBUTE_WRITE,
        data=lambda w: {"kind": "answer", "post_id": str(w.ids["answer"])},
    ),
    Case(
        "decide a review item",
        "POST",
        lambda w: f"/moderation/items/{w.ids['review_item']}/approve",
        STAFF_ONLY_WRITE,
    ),
    Case(
        "warn a member",
        "POST",
        lambda w: f"/moderation/members/{w.users['author'].id}/warn",
        STAFF_ONLY_WRITE,
        data=lambda w: {"guideline": "Be respectful"},
    ),
    Case(
        "suspend a member",
        "POST",
        lambda w: f"/moderation/members/{w.users['author'].id}/suspend",
        STAFF_ONLY_WRITE,
        data=lambda w: {"period": "day", "reason": "Insults"},
    ),
    Case(
        "set a trust level",
        "POST",
        lambda w: f"/moderation/members/{w.users['author'].id}/trust",
        COMMUNITY_MANAGERS_WRITE,
        data=lambda w: {"level": "4"},
    ),
    Case(
        "appeal (suspended members too)",
        "POST",
        lambda w: "/appeals",
        signed_in(302),
        data=lambda w: {"kind": "suspension", "appeal": "Please look again."},
    ),
    Case("accept the guidelines again", "GET", lambda w: "/guidelines/accept", signed_in(200)),
    Case(
        "accept the guidelines again (send)",
        "POST",
        lambda w: "/guidelines/accept",
        signed_in(302),
    ),
]
CASES += MODERATION_CASES


API_SIGNED_IN = everyone(200, anonymous=401)
API_CONTRIBUTE = everyone(200, anonymous=401, suspended=403)
API_POST = everyone(201, anonymous=401, suspended=403)
API_IDEA_TEAM = everyone(403, anonymous=401, staff=200, product=200, admin=200)
API_MODERATORS_SEE = everyone(404, staff=200, admin=200)
API_ACCEPT = everyone(403, anonymous=401, author=200, staff=200, admin=200)
ANSWER_BODY = {"body": "Reconnect the integration from the admin page, then sync again."}

API_CASES = [
    Case("api: questions", "GET", lambda w: "/api/v1/questions", everyone(200), api=True),
    Case(
        "api: a question",
        "GET",
        lambda w: f"/api/v1/questions/{w.ids['question']}",
        everyone(200),
        api=True,
    ),
    Case(
        "api: a deleted question",
        "GET",
        lambda w: f"/api/v1/questions/{w.ids['deleted_question']}",
        API_MODERATORS_SEE,
        api=True,
    ),
    Case("api: ideas", "GET", lambda w: "/api/v1/ideas", everyone(200), api=True),
    Case(
        "api: a member",
        "GET",
        lambda w: f"/api/v1/members/{w.users['author'].id}",
        everyone(200),
        api=True,
    ),
    Case("api: me", "GET", lambda w: "/api/v1/me", API_SIGNED_IN, api=True),
    Case(
        "api: my notifications",
        "GET",
        lambda w: "/api/v1/me/notifications",
        API_SIGNED_IN,
        api=True,
    ),
    Case(
        "api: answer",
        "POST",
        lambda w: f"/api/v1/questions/{w.ids['question']}/answers",
        API_POST,
        data=lambda w: ANSWER_BODY,
        api=True,
    ),
    Case(
        "api: answer a closed question",
        "POST",
        lambda w: f"/api/v1/questions/{w.ids['closed_question']}/answers",
        everyone(409, anonymous=401, suspended=403),
        data=lambda w: ANSWER_BODY,
        api=True,
    ),
    Case(
        "api: accept an answer",
        "POST",
        lambda w: f"/api/v1/answers/{w.ids['answer']}/accept",
        API_ACCEPT,
        api=True,
    ),
    Case(
        "api: vote for an idea",
        "PUT",
        lambda w: f"/api/v1/ideas/{w.ids['other_idea']}/vote",
        API_CONTRIBUTE,
        api=True,
    ),
    Case(
        "api: change an idea's status",
        "POST",
        lambda w: f"/api/v1/ideas/{w.ids['idea']}/status",
        API_IDEA_TEAM,
        data=lambda w: {"status": "planned", "note": "On the roadmap."},
        api=True,
    ),
    Case(
        "api: link a question to an idea",
        "POST",
        lambda w: f"/api/v1/questions/{w.ids['question']}/ideas",
        everyone(403, anonymous=401, staff=201, product=201, admin=201),
        data=lambda w: {"idea": str(w.ids["idea"])},
        api=True,
    ),
    Case(
        "api: an insights figure",
        "GET",
        lambda w: "/api/v1/insights/top-ideas",
        everyone(403, anonymous=401, staff=200, product=200, admin=200),
        api=True,
    ),
    Case("api: tokens page", "GET", lambda w: "/settings/tokens", signed_in(200)),
    Case("sso: sign-in accounts page", "GET", lambda w: "/settings/sso", signed_in(200)),
    Case("sso: a provider not configured", "GET", lambda w: "/login/sso/nope", everyone(404)),
    Case(
        "sso: callback of a provider not configured",
        "GET",
        lambda w: "/login/sso/nope/callback?code=x&state=y",
        everyone(404),
    ),
    Case(
        "sso: unlink what is not one's own",
        "POST",
        lambda w: "/settings/sso/1/unlink",
        signed_in(404),
    ),
    Case("admin: API tokens", "GET", lambda w: "/admin/tokens", ADMIN_ONLY),
    Case("admin: webhooks", "GET", lambda w: "/admin/webhooks", ADMIN_ONLY),
    Case("admin: sign-in providers", "GET", lambda w: "/admin/sso", ADMIN_ONLY),
    Case(
        "admin: add a webhook",
        "POST",
        lambda w: "/admin/webhooks",
        signed_in(403, admin=200),  # the address is refused (loopback): the form again
        data=lambda w: {"url": "http://127.0.0.1/x", "events": ["question.created"]},
    ),
    Case(
        "api: make a token",
        "POST",
        lambda w: "/settings/tokens",
        CONTRIBUTE_WRITE,
        data=lambda w: {"name": "Script", "scopes": ["read"], "lifetime": "30"},
    ),
]
CASES += API_CASES


# The world is built once per test process and its rows put back for each test: building it
# took most of each of the matrix's tests' time.
_BUILT: dict = {}


@pytest.fixture
def world(app, make_user) -> World:
    if _BUILT:
        _BUILT["snapshot"].restore()
    else:
        built = _build_world(make_user)
        _BUILT.update(
            snapshot=Snapshot.take(),
            users={person: user.id for person, user in built.users.items()},
            ids=dict(built.ids),
        )
    users = {person: db.session.get(User, id) for person, id in _BUILT["users"].items()}
    return World(users=users, ids=dict(_BUILT["ids"]))


def _build_world(make_user) -> World:
    world = World()
    for person in PEOPLE[1:]:
        role = person.removeprefix("suspended_")
        role = role if role in TEAM_ROLES else "member"
        world.users[person] = make_user(role, suspended=person.startswith("suspended"))
    notify([world.users["author"].id], kind="test", title="For the author", url="/")
    db.session.commit()
    from portal.notifications.models import Notification

    world.ids["notification"] = db.session.execute(db.select(Notification.id)).scalar_one()
    world.ids["tokens"] = {person: _token_of(user) for person, user in world.users.items()}
    world.ids["unsubscribe"] = unsubscribe_token(world.users["author"].id, BY_NAME["answers"])
    _support_world(world, make_user)

    from portal.ideas.services import add_comment
    from tests.factories import make_idea

    idea = make_idea(world.users["author"], title="The author's idea")
    world.ids["idea"] = idea.id
    world.ids["other_idea"] = make_idea(world.users["staff"], title="Another idea").id
    world.ids["idea_comment"] = add_comment(idea, world.users["author"], "First!").id
    world.ids["event"] = _event_of(world.users["staff"]).id
    world.ids["ama"] = _event_of(world.users["staff"], kind="ama").id
    from portal.events.models import Event
    from portal.events.services import ask_at_event

    asked = ask_at_event(
        world.users["author"],
        db.session.get(Event, world.ids["ama"]),
        title="The author's question at the AMA?",
        body="Asked before the session starts.",
        screening=None,
    )
    world.ids["ama_question"] = asked.id
    from portal.polls.services import start_poll

    poll = start_poll(
        world.users["product"],
        title="Which export format?",
        options=["CSV", "Excel"],
        multiple=False,
        results_after="voted",
        subject=("idea", idea.id),
    )
    world.ids["poll"], world.ids["poll_option"] = poll.id, poll.options[0].id
    db.session.commit()
    return world


def _event_of(staff, kind="event"):
    from datetime import datetime

    from portal.events.services import save_event
    from portal.taxonomy.models import ProductArea

    area = db.session.scalars(db.select(ProductArea)).first()
    return save_event(
        staff,
        None,
        kind=kind,
        title="Matrix office hours",
        body="Questions welcome.",
        starts=datetime(2099, 5, 1, 10, 0),
        ends=datetime(2099, 5, 1, 11, 0),
        time_zone="Europe/Berlin",
        location="Berlin office",
        online_url=None,
        area_id=area.id,
        capacity=1,
    )


def _token_of(user) -> str:
    """A token of `user` with every scope, made as if before any suspension or change of role:
    what the person may do is then decided by `can()` alone."""
    from portal.accounts.api_tokens import PREFIX, secret_hash
    from portal.accounts.models import ApiToken

    secret = f"{PREFIX}matrix-{user.id}"
    db.session.add(
        ApiToken(
            user_id=user.id,
            name="Matrix",
            secret_hash=secret_hash(secret),
            prefix=secret[:9],
            scopes="read write moderate insights",
        )
    )
    return secret


def _support_world(world: World, make_user) -> None:
    """A question by the author with answers by someone else and by the author, and a few
    questions in other states (another member's accepted answer, deleted, closed)."""
    from portal.support import services
    from tests.factories import make_area, make_question

    other, staff = make_user(), world.users["staff"]
    area = make_area(slug="integrations")
    question = make_question(author=world.users["author"], area=area, tags=["slack"])
    answer = services.post_answer(question, other, "Reconnect the app from the Slack side.")
    own = services.post_answer(question, world.users["author"], "Answering my own question here.")
    solved = make_question(author=world.users["author"], area=area)
    accepted = services.post_answer(solved, other, "This one solved it, thank you again.")
    services.accept_answer(accepted, world.users["author"])
    deleted = make_question(area=area)
    services.delete_post(deleted, staff)
    deleted_answer = services.post_answer(solved, other, "An answer that staff removed later.")
    services.delete_post(deleted_answer, staff)
    other_question, closed = make_question(area=area), make_question(area=area)
    services.close_as_duplicate(closed, staff, other_question)
    comment = services.add_comment(world.users["author"], answer, "Thanks, that worked for me.")
    db.session.commit()
    from portal.moderation.models import ReviewItem
    from portal.moderation.services import flag_post

    flag_post(world.users["member"], "answer", own.id, reason="off_topic")
    db.session.commit()
    world.ids["review_item"] = db.session.scalars(db.select(ReviewItem.id)).one()
    world.ids.update(
        question=question.id,
        answer=answer.id,
        own_answer=own.id,
        accepted_answer=accepted.id,
        deleted_question=deleted.id,
        deleted_answer=deleted_answer.id,
        other_question=other_question.id,
        closed_question=closed.id,
        area=area.id,
        area_slug=area.slug,
        comment=comment.id,
    )


# Who is allowed is decided in Python, the same on both databases; what PostgreSQL adds is
# each route's SQL, which these five run through (the owner's, another member's and the team's
# views), so the other seven are left to SQLite there.
PEOPLE_HERE = PEOPLE if BACKEND == "sqlite" else ["anonymous", "member", "author", "staff", "admin"]
# A read changes nothing another person's answer depends on, so everyone reads a case in one
# world; each write has a world of its own. (Building and emptying the world was most of each
# test's time.)
READS = [case for case in CASES if case.method == "GET"]
WRITES = [case for case in CASES if case.method != "GET"]


def _mismatch(app, world: World, case: Case, person: str) -> str | None:
    """What is wrong with `person`'s answer to `case`, or None."""
    client = app.test_client()
    if case.api:
        headers = {}
        if person != "anonymous":
            headers["Authorization"] = f"Bearer {world.ids['tokens'][person]}"
        body = case.data(world) if case.method != "GET" else None
        response = client.open(case.url(world), method=case.method, json=body, headers=headers)
    else:
        if person != "anonymous":
            login(client, world.users[person])
        response = client.open(case.url(world), method=case.method, data=case.data(world))
    if response.status_code != case.expect[person]:
        return (
            f"{person} → {case.method} {case.url(world)}: got {response.status_code}, "
            f"expected {case.expect[person]}"
        )
    elsewhere = not (response.location or "").startswith("/login")
    anonymous_to_login = person == "anonymous" and case.anonymous_goes_to_login
    if anonymous_to_login and response.status_code == 302 and elsewhere:
        return f"anonymous → {case.method} {case.url(world)}: sent to {response.location}"
    return None


@pytest.mark.parametrize("case", READS, ids=lambda case: case.name)
def test_permission_matrix_reads(app, world, case):
    wrong = [found for person in PEOPLE_HERE if (found := _mismatch(app, world, case, person))]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("person", PEOPLE_HERE)
@pytest.mark.parametrize("case", WRITES, ids=lambda case: case.name)
def test_permission_matrix(app, world, case, person):
    found = _mismatch(app, world, case, person)
    assert found is None, found
