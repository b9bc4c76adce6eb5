"""Demo ideas for Acme: votes spread over months (so Trending differs from Top), statuses with
public notes, comments with an official product response, and one merged duplicate."""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from portal.demo import DemoContext
from portal.extensions import db
from portal.ideas.services import (
    add_comment,
    cast_vote,
    change_status,
    mark_official,
    merge_ideas,
    save_status_option,
    suggest_idea,
    vote_on_behalf,
)
from portal.notifications.models import Notification

MEMBERS = ["member", *(f"m{n}" for n in range(2, 15))]

# key, area, author, days ago, title, description, (votes, of which in the last 14 days)
IDEAS = [
    (
        "offline",
        "mobile-app",
        "m2",
        240,
        "Offline mode for the mobile app",
        "Our field technicians work in basements and on rural sites with no signal. "
        "Today the app shows a spinner and **loses the form** they were filling in.\n\n"
        "We need to:\n\n- open recent projects offline\n- fill in and save forms offline\n"
        "- sync automatically when the connection is back, with a clear *pending* badge",
        (13, 1),
    ),
    (
        "xlsx",
        "reports",
        "member",
        200,
        "Export reports to Excel (.xlsx)",
        "CSV export loses formatting and our finance team re-creates every table by hand. "
        "An `.xlsx` export that keeps number formats, column widths and the report title would "
        "save us hours each month.",
        (12, 2),
    ),
    (
        "sso",
        "account-security",
        "m5",
        180,
        "SAML single sign-on with Okta and Azure AD",
        "Our security policy requires SSO for every SaaS tool. We are on Okta; our sister "
        "company uses Azure AD. Please support SAML 2.0 and just-in-time user provisioning.",
        (11, 0),
    ),
    (
        "dark",
        "mobile-app",
        "m6",
        150,
        "Dark mode",
        "I use the app late in the evening and the white screens are blinding. "
        "A dark theme that follows the phone's system setting would be perfect.",
        (10, 2),
    ),
    (
        "slack",
        "integrations",
        "m4",
        120,
        "Post to a Slack channel when a task is overdue",
        "We live in Slack. A notification in a chosen channel (not a DM) when a task passes its "
        "due date would let the whole team pick it up.",
        (9, 1),
    ),
    (
        "schedule",
        "reports",
        "m7",
        90,
        "Schedule reports by email every Monday",
        "My manager wants the weekly utilisation report in her inbox on Monday morning. "
        "Let me pick a report, recipients, a day and a time.",
        (8, 3),
    ),
    (
        "zapier-webhooks",
        "integrations",
        "m10",
        25,
        "Outgoing webhooks for every event",
        "Zapier is great but slow and costly at our volume. Signed webhooks (task created, "
        "updated, completed, invoice paid) would let us build our own integrations.\n\n"
        '```json\n{"event": "task.completed", "task_id": 123}\n```',
        (7, 7),
    ),
    (
        "invoice-po",
        "billing",
        "m8",
        20,
        "Add a purchase order number to invoices",
        "Our accounts payable team rejects invoices without a PO number. "
        "A field in billing settings that prints on every invoice would fix it.",
        (6, 6),
    ),
    (
        "2fa-keys",
        "account-security",
        "m12",
        12,
        "Support hardware security keys (WebAuthn) for two-factor",
        "Authenticator codes are fine, but our admins carry YubiKeys. "
        "WebAuthn/passkeys as a second factor, please.",
        (6, 6),
    ),
    (
        "annual-switch",
        "billing",
        "m3",
        160,
        "Switch from monthly to annual billing without contacting support",
        "Let account owners switch to annual billing in the billing page, "
        "with the discount and the pro-rated credit shown before confirming.",
        (6, 0),
    ),
    (
        "calendar",
        "integrations",
        "m9",
        140,
        "Two-way Google Calendar sync",
        "Tasks with a due date should appear in Google Calendar, and moving the event "
        "should move the due date.",
        (7, 0),
    ),
    (
        "widgets",
        "mobile-app",
        "m11",
        70,
        "Home screen widget with today's tasks",
        "An iOS and Android widget listing today's tasks, with a tap to mark one done.",
        (4, 1),
    ),
    (
        "excel-dup",
        "reports",
        "m13",
        60,
        "Download dashboards as Excel files",
        "It would be great to get any dashboard as an Excel workbook.",
        (3, 0),
    ),
    (
        "audit-log",
        "account-security",
        "m14",
        45,
        "Audit log export for admins",
        "For our SOC 2 audit we need a downloadable log of sign-ins, permission changes and "
        "deletions, filterable by date and user.",
        (5, 2),
    ),
    (
        "custom-fields",
        "reports",
        "m2",
        300,
        "Group reports by custom fields",
        "We tag projects with a custom *Region* field. Reports should be able to group and "
        "filter by any custom field.",
        (9, 0),
    ),
    (
        "crypto",
        "billing",
        "m6",
        100,
        "Pay invoices with cryptocurrency",
        "Accept Bitcoin and stablecoins for invoice payments.",
        (2, 0),
    ),
    (
        "bulk-edit",
        "mobile-app",
        "m9",
        5,
        "Bulk edit tasks on the phone",
        "Long-press to select several tasks and change the assignee or due date at once.",
        (3, 3),
    ),
]

# key, [(status, days ago, team member, public note)]
STATUSES = {
    "offline": [
        (
            "under_review",
            200,
            "product",
            "Thanks, everyone. We're talking to field teams this month.",
        ),
        (
            "planned",
            120,
            "product",
            "Offline forms and sync are planned for the first half of next year. "
            "We'll start with reading projects and filling in forms.",
        ),
        ("in_progress", 20, "product2", "Beta builds go out to volunteers next week."),
    ],
    "xlsx": [
        ("under_review", 150, "product2", "We're looking at which formats matter most."),
        ("planned", 40, "product2", "Planned for the Reports update this quarter."),
    ],
    "sso": [
        ("planned", 120, "product", "SAML SSO is part of the Enterprise plan roadmap."),
        ("in_progress", 60, "product", "Okta support first, Azure AD right after."),
        (
            "shipped",
            18,
            "product",
            "SAML SSO is live for Enterprise workspaces: Settings → Security → Single sign-on. "
            "Okta and Azure AD guides are in the help centre.",
        ),
    ],
    "dark": [("under_review", 60, "product2", "Our designers are exploring this.")],
    "slack": [
        ("planned", 50, "product", "We'll add channel notifications to the Slack app."),
        ("shipped", 8, "product", "Shipped! Choose a channel under Integrations → Slack."),
    ],
    "schedule": [("in_progress", 15, "product2", "Building it now; expect it within weeks.")],
    "invoice-po": [("under_review", 6, "staff", "Passing this to the billing team.")],
    "crypto": [
        (
            "declined",
            70,
            "product",
            "We won't support crypto payments: the tax and refund rules in our markets make it "
            "too risky. Card, SEPA and bank transfer remain available.",
        )
    ],
    "calendar": [("shipped", 130, "product", "Two-way sync is live for Google Calendar.")],
    "audit-log": [("planned", 10, "product", "Planned alongside the SOC 2 work.")],
    "custom-fields": [
        ("planned", 150, "product2", "Custom fields in reports are planned for the spring."),
        ("shipped", 40, "product2", "Reports can now group and filter by any custom field."),
    ],
    "widgets": [
        ("planned", 30, "product", "Widgets are planned for iOS first, then Android."),
        ("beta", 5, "product", "The iOS widget is in beta: turn it on under Settings → Labs."),
    ],
}

COMMENTS = {
    "offline": [
        ("m3", 230, "Same for us: our warehouse has no Wi-Fi in the cold room."),
        ("m8", 210, "Would pay for the Enterprise plan for this alone."),
        (
            "product",
            118,
            "**Official update:** offline mode is planned. The first release will cover:\n\n"
            "1. Reading the last 30 days of projects offline\n"
            "2. Filling in and saving forms offline\n"
            "3. Automatic sync with a *pending* badge\n\n"
            "Attachments will follow in a later release.",
        ),
        ("staff", 100, "Until then, the workaround is to save forms as drafts before going out."),
        ("m2", 19, "Signed up for the beta. Thank you!"),
    ],
    "xlsx": [
        ("m7", 190, "Please keep the number formats: currencies especially."),
        ("product2", 39, "Thanks for the detail. Formats and column widths are in scope."),
    ],
    "sso": [
        ("m12", 170, "Azure AD here. +1"),
        ("product", 17, "This is now live, see the status note above. Thanks for your patience!"),
    ],
    "dark": [("m11", 55, "Please also dark mode for the web app.")],
    "crypto": [("m6", 69, "Understood, thanks for explaining.")],
}

OFFICIAL = {"offline": 2, "sso": 1, "xlsx": 1}


def _dated(ctx: DemoContext, at: datetime, action: Callable[[], object]):
    """Run a service call as if it happened at `at`: the notifications it sent get that time
    (and are read when older than two weeks), so the demo inbox reads like a real one."""
    last_id = db.session.execute(select(func.max(Notification.id))).scalar() or 0
    result = action()
    db.session.flush()
    db.session.execute(
        update(Notification)
        .where(Notification.id > last_id)
        .values(created_at=at, read_at=at + timedelta(hours=3) if at < ctx.ago(days=14) else None)
    )
    return result


def load(ctx: DemoContext) -> None:
    users = ctx.users
    ideas = {}
    for key, area, author, days, title, body, _votes in IDEAS:
        ideas[key] = suggest_idea(
            users[author],
            title=title,
            body=body,
            area=ctx.areas[area],
            at=ctx.ago(days=days, hours=ctx.rng.randint(0, 12)),
        )
    db.session.flush()

    votes = 0
    spare = {}
    for key, _area, author, days, *_rest, (total, recent) in IDEAS:
        idea = ideas[key]
        voters = [m for m in MEMBERS if m != author]
        ctx.rng.shuffle(voters)
        spare[key] = voters[total - 1 :]
        for index, voter in enumerate(voters[: total - 1]):
            if index < recent:
                ago = ctx.rng.uniform(0.2, 13.5)
            else:
                ago = ctx.rng.uniform(14.5, max(days, 15))
            ago = min(ago, days - 0.1)
            cast_vote(idea, users[voter], at=ctx.now - timedelta(days=ago))
            votes += 1
    on_call = ctx.ago(days=100)
    _dated(
        ctx,
        on_call,
        lambda: vote_on_behalf(ideas["sso"], users[spare["sso"][0]], by=users["staff"], at=on_call),
    )
    votes += 1

    comments = 0
    for key, entries in COMMENTS.items():
        made = [
            _dated(
                ctx,
                ctx.ago(days=days),
                lambda key=key, who=who, text=text, days=days: add_comment(
                    ideas[key], users[who], text, at=ctx.ago(days=days)
                ),
            )
            for who, days, text in entries
        ]
        comments += len(made)
        if key in OFFICIAL:
            mark_official(made[OFFICIAL[key]], by=users["product"], at=ctx.ago(days=10))

    # Votes were cast while ideas were open; statuses come after, in the order they happened.
    # One is the team's own, within a fixed kind, as admins add them at /admin/statuses.
    save_status_option(None, kind="in_progress", name="Beta", colour="teal", by=users["admin"])
    changes = 0
    for key, steps in STATUSES.items():
        for status, days, who, note in steps:
            at = ctx.ago(days=days)
            _dated(
                ctx,
                at,
                lambda key=key, status=status, who=who, note=note, at=at: change_status(
                    ideas[key], status, note=note, by=users[who], at=at
                ),
            )
            changes += 1
    merged_at = ctx.ago(days=30)
    _dated(
        ctx,
        merged_at,
        lambda: merge_ideas(
            ideas["excel-dup"],
            ideas["xlsx"],
            by=users["product2"],
            note="Same request as the Excel export idea: votes are combined there.",
            at=merged_at,
        ),
    )
    db.session.flush()
    ctx.count("ideas", len(ideas))
    ctx.count("idea votes", votes + len(ideas))
    ctx.count("idea comments", comments)
    ctx.count("idea status changes", changes)
