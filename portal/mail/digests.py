"""Digests: a daily or weekly mail with what a member chose to hear about that way ("in a
weekly digest") and, for those who want the community's summary (weekly unless they chose
otherwise), the period's top questions and ideas, unanswered questions in product areas where
they have answered before, and ideas that changed status. Nothing to say: no mail.

Features register the summary's sections (`digest_section`); what a section offers is the
same for everyone and gathered once per batch, then each member gets what is not their own
and not in what they muted.

One digest per member and period, however many workers or hosts run: a worker builds a batch
of digests from reads alone, then claims the batch by inserting its (member, period) rows in
`digest_sends`, ON CONFLICT DO NOTHING, in the transaction that queues the mail. A member
another worker claimed first is skipped; a worker killed before its commit claimed nothing.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import make_msgid

from flask import current_app, render_template
from sqlalchemy import delete, exists, false, insert, literal, not_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.follows.models import MUTED, Follow
from portal.mail.models import DigestSend, OutboxMail
from portal.mail.notices import absolute, brand, host
from portal.notifications.models import (
    MAILED,
    NOT_MAILED,
    Notification,
    NotificationPreference,
)
from portal.notifications.preferences import (
    DIGESTS,
    SUMMARY,
    Delivery,
    choices_of,
    delivery,
    unsubscribe_token,
)
from portal.notifications.subjects import still_visible
from portal.public_url import public_url

BATCH = 500  # members per claim: one short write transaction each
SHOWN = 20  # notifications listed in one digest; the rest are a link away


@dataclass(frozen=True)
class DigestItem:
    title: str
    path: str  # a path of this site
    detail: str = ""  # "3 answers", "now Planned"
    area_id: int | None = None
    tag_ids: tuple[int, ...] = ()
    author_id: int | None = None


@dataclass(frozen=True)
class DigestSection:
    key: str
    heading: str
    # (start, end) -> the period's items everyone may see, best first: once per batch
    gather: Callable[[datetime, datetime], list[DigestItem]]
    limit: int = 3
    # Members' own product areas, for a section that offers only what is in them ("where you
    # could help"): member ids -> {member id: area ids}, once per batch
    areas_of: Callable[[list[int]], dict[int, set[int]]] | None = None


SECTIONS: list[DigestSection] = []


def digest_section(section: DigestSection) -> DigestSection:
    SECTIONS.append(section)
    return section


@dataclass(frozen=True)
class Period:
    kind: Delivery  # DAILY or WEEKLY
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.end:%Y-%m-%d}"

    @property
    def name(self) -> str:
        return "day" if self.kind is Delivery.DAILY else "week"


def period_before(kind: Delivery, now: datetime) -> Period:
    """The last whole day (UTC), or the last whole week from Monday: the period whose digest
    is due at `now`."""
    end = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind is Delivery.WEEKLY:
        end -= timedelta(days=end.weekday())
        return Period(kind, end - timedelta(days=7), end)
    return Period(kind, end - timedelta(days=1), end)


@dataclass
class Digest:
    user: User
    notifications: list = field(default_factory=list)  # shown, still visible
    more: int = 0  # not shown: in the app
    sections: list[tuple[DigestSection, list[DigestItem]]] = field(default_factory=list)
    decided: dict[int, str] = field(default_factory=dict)  # notification id -> mail state

    @property
    def has_news(self) -> bool:
        return bool(self.notifications or self.sections)

    @property
    def content_key(self) -> tuple:
        """Two digests with the same key read the same (but for their unsubscribe link)."""
        return (
            tuple(n.id for n in self.notifications),
            self.more,
            tuple((section.key, tuple(i.path for i in items)) for section, items in self.sections),
        )


def send_digests(kind: Delivery, now: datetime | None = None, limit: int = BATCH) -> int:
    """Decide the digests of one batch of members for the period due at `now`; returns how
    many members were decided (0: the period is done)."""
    period = period_before(kind, now or utcnow())
    members = _members_due(period, limit)
    if not members:
        db.session.rollback()
        return 0
    digests = _build(period, members, _gathered(period))
    _claim_and_queue(period, digests)
    return len(members)


def _gathered(period: Period) -> list[tuple[DigestSection, list[DigestItem]]]:
    """Each section's items for the period, gathered again for each batch (a few small
    queries), so what was hidden since the last batch is not sent."""
    return [(section, section.gather(period.start, period.end)) for section in SECTIONS]


def _members_due(period: Period, limit: int) -> list[User]:
    """Members with a digest of this period still to decide: mail reaches them and they want
    the summary at this frequency or have notifications waiting for such a digest."""
    chosen = NotificationPreference
    summary = select(chosen.delivery).where(chosen.user_id == User.id, chosen.topic == SUMMARY.name)
    wants_summary = exists(summary.where(chosen.delivery == period.kind.value))
    if SUMMARY.default is period.kind:
        wants_summary = or_(not_(exists(summary)), wants_summary)
    waiting = exists().where(
        Notification.user_id == User.id, Notification.mail_state == period.kind.value
    )
    decided = exists().where(DigestSend.user_id == User.id, DigestSend.period == period.key)
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.email_confirmed_at.is_not(None),
                User.email_undeliverable_at.is_(None),
                User.mail_paused.is_(False),
                User.created_at < period.end,
                or_(wants_summary, waiting),
                not_(decided),
            )
            .order_by(User.id)
            .limit(limit)
        )
    )


def _mutes(ids: list[int]) -> dict[int, set[tuple[str, int]]]:
    rows = db.session.execute(
        select(Follow.user_id, Follow.target_kind, Follow.target_id).where(
            Follow.user_id.in_(ids), Follow.level == MUTED, Follow.target_kind.in_(("area", "tag"))
        )
    )
    muted: dict[int, set[tuple[str, int]]] = {}
    for user_id, kind, target_id in rows:
        muted.setdefault(user_id, set()).add((kind, target_id))
    return muted


def _waiting(period: Period, ids: list[int]) -> dict[int, list]:
    rows = db.session.execute(
        select(
            Notification.id,
            Notification.user_id,
            Notification.title,
            Notification.note,
            Notification.url,
            Notification.about_kind,
            Notification.about_id,
        )
        .where(Notification.user_id.in_(ids), Notification.mail_state == period.kind.value)
        .order_by(Notification.id)
    ).all()
    waiting: dict[int, list] = {}
    for row in rows:
        waiting.setdefault(row.user_id, []).append(row)
    return waiting


def _build(period: Period, members: list[User], gathered) -> list[Digest]:
    """Each member's digest, from reads alone: a fixed number of statements per batch."""
    ids = [member.id for member in members]
    choices = choices_of(ids)
    muted = _mutes(ids)
    waiting = _waiting(period, ids)
    by_id = {member.id: member for member in members}
    rows = [row for member_id in ids for row in waiting.get(member_id, [])]
    seen = still_visible((row.about_kind, row.about_id, by_id[row.user_id]) for row in rows)
    visible = dict(zip((row.id for row in rows), seen, strict=True))
    summary_for = sorted(m for m in ids if delivery(choices, m, SUMMARY) is period.kind)
    summary_set = set(summary_for)
    areas = {
        section.key: section.areas_of(summary_for)
        for section, _items in gathered
        if section.areas_of is not None and summary_for
    }
    digests = []
    for member in members:
        digest = Digest(member)
        mine = waiting.get(member.id, [])
        shown = [row for row in mine if visible[row.id]]
        digest.notifications, digest.more = shown[:SHOWN], max(0, len(shown) - SHOWN)
        digest.decided = {row.id: MAILED if visible[row.id] else NOT_MAILED for row in mine}
        if member.id in summary_set:
            digest.sections = _summary(member.id, gathered, muted.get(member.id, set()), areas)
        digests.append(digest)
    return digests


def _summary(member_id: int, gathered, muted: set, areas: dict) -> list:
    sections = []
    for section, items in gathered:
        own = areas[section.key].get(member_id, set()) if section.key in areas else None
        picked = []
        for item in items:
            if _for(item, member_id, muted, own):
                picked.append(item)
                if len(picked) == section.limit:
                    break
        if picked:
            sections.append((section, picked))
    return sections


def _for(item: DigestItem, member_id: int, muted: set, own_areas: set | None) -> bool:
    """Whether an item of the summary is news to the member: not theirs, not in what they
    muted, and, for a section of their own product areas, in one of them."""
    if item.author_id == member_id or ("area", item.area_id) in muted:
        return False
    if any(("tag", tag_id) in muted for tag_id in item.tag_ids):
        return False
    return own_areas is None or item.area_id in own_areas


def _claim_and_queue(period: Period, digests: list[Digest]) -> None:
    """One transaction: claim the batch's members for the period, queue the mail of those
    this worker claimed and decide their waiting notifications."""
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    now = utcnow()
    claimed = set(
        db.session.scalars(
            module.insert(DigestSend)
            .values(
                [
                    {
                        "user_id": d.user.id,
                        "period": period.key,
                        "mailed": d.has_news,
                        "created_at": now,
                    }
                    for d in digests
                ]
            )
            .on_conflict_do_nothing()
            .returning(DigestSend.user_id)
        )
    )
    mine = [d for d in digests if d.user.id in claimed]
    mails = _mails(period, mine)
    if mails:
        db.session.execute(insert(OutboxMail), mails)
    for state in (MAILED, NOT_MAILED):
        ids = [i for d in mine for i, decided in d.decided.items() if decided == state]
        if ids:
            db.session.execute(
                update(Notification)
                .where(Notification.id.in_(ids))
                .values(mail_state=state)
                .execution_options(synchronize_session=False)
            )
    db.session.commit()


# Where each member's own unsubscribe link goes in a digest rendered for many (see _mails).
UNSUBSCRIBE = "portal-digest-unsubscribe-link"


def _mails(period: Period, digests: list[Digest]) -> list[dict]:
    """The batch's mail. Most members of a batch get the same news, so each different digest
    is rendered once and each member's unsubscribe link put in its place."""
    shared = {
        **brand(),
        "period": period,
        "absolute": absolute,
        "notifications_link": public_url("notifications.index"),
        "unsubscribe": UNSUBSCRIBE,
    }
    subject = f"Your {period.kind.value} digest · {shared['site'].community_name}"[:200]
    rendered: dict[tuple, tuple[str, str]] = {}
    mails = []
    for digest in digests:
        if not digest.has_news:
            continue
        if digest.content_key not in rendered:
            context = {**shared, "digest": digest}
            rendered[digest.content_key] = (
                render_template("mail/digest.txt", **context),
                render_template("mail/digest.html", **context),
            )
        text, html = rendered[digest.content_key]
        token = unsubscribe_token(digest.user.id, SUMMARY)
        unsubscribe = public_url("mail.unsubscribe", token=token)
        headers = {
            "Message-ID": make_msgid(domain=host()),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        }
        mails.append(
            {
                "to_address": digest.user.email,
                "subject": subject,
                "body": text.replace(UNSUBSCRIBE, unsubscribe),
                "html": html.replace(UNSUBSCRIBE, unsubscribe),
                "headers": json.dumps(headers),
                "kind": SUMMARY.name,
            }
        )
    return mails


def send_due_digests(now: datetime | None = None) -> int:
    """The worker's pass: one batch of each due digest (daily, weekly) not yet done; returns
    how many members were decided. A period found done is not looked at again by this
    process (the worker passes every second)."""
    now = now or utcnow()
    done = current_app.extensions.setdefault("portal_digests_done", set())
    decided = 0
    for kind in DIGESTS:
        key = period_before(kind, now).key
        if key in done:
            continue
        count = send_digests(kind, now)
        if count == 0:
            done.add(key)
            _forget_old_claims(now)
        decided += count
    return decided


KEPT = timedelta(days=60)  # how long a period's claims are kept: far past any late worker


def _forget_old_claims(now: datetime) -> None:
    """Delete the claims of periods long done, once a period is found done."""
    db.session.execute(delete(DigestSend).where(DigestSend.created_at < now - KEPT))
    db.session.commit()


def skip_due_digests(now: datetime) -> None:
    """Decide the digests due at `now` for every member, sending none (for the demo, whose
    history is not news)."""
    for kind in DIGESTS:
        key = period_before(kind, now).key
        db.session.execute(
            insert(DigestSend).from_select(
                ["user_id", "period", "mailed", "created_at"],
                select(User.id, literal(key), false(), literal(now)),
            )
        )
