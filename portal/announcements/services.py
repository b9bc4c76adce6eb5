"""Publish an announcement to its audience, and who that audience is."""

from sqlalchemy import Select, func, select

from portal.accounts.models import Plan, User
from portal.activity import record_event
from portal.announcements.models import AREA, COMPANY, EVERYONE, PLAN, Announcement
from portal.extensions import db
from portal.follows.services import watching
from portal.mail.notices import mail_now
from portal.markdown import excerpt, render_markdown
from portal.notifications.preferences import BY_NAME
from portal.notifications.services import audience, notify_later
from portal.public_url import site_path
from portal.taxonomy.models import ProductArea
from portal.writes import Refused


def check_audience(choice: str, company: str) -> tuple[str, int | None, str | None]:
    """The form's audience ("everyone", "area:3", "plan:2", "company" with its name) as
    (audience, area or plan id, company), refused when it names nothing that exists."""
    kind, _, number = (choice or "").partition(":")
    if kind == EVERYONE and not number:
        return EVERYONE, None, None
    if kind == COMPANY and not number:
        company = " ".join((company or "").split())
        if not company:
            raise Refused("Name the company whose members should read it.", field="company")
        return COMPANY, None, company[:120]
    model = {AREA: ProductArea, PLAN: Plan}.get(kind)
    known = model is not None and number.isdigit() and len(number) < 10
    if known and db.session.get(model, int(number)) is not None:
        return kind, int(number), None
    raise Refused("Choose who it is for from the list.", field="audience")


def recipients(kind: str, audience_id: int | None, company: str | None) -> Select:
    """A select of the ids of the members an announcement is for."""
    members = select(User.id).where(User.email.is_not(None))
    if kind == AREA:
        return watching(("area", audience_id))
    if kind == PLAN:
        return members.where(User.plan_id == audience_id)
    if kind == COMPANY:
        return members.where(func.lower(User.company) == (company or "").lower())
    return members


def audience_size(audience: tuple[str, int | None, str | None], *, but: int) -> int:
    """How many members the announcement reaches: its audience but the writer, who is never
    notified of their own."""
    chosen = recipients(*audience).subquery()
    return db.session.scalar(select(func.count()).select_from(chosen).where(chosen.c[0] != but))


@audience("announcement")
def _audience(announcement_id: int) -> Select:
    announcement = db.session.get(Announcement, announcement_id)
    return recipients(
        announcement.audience, announcement.audience_id, announcement.audience_company
    )


def _title(title: str) -> str:
    return " ".join((title or "").split())


def publish(author: User, *, title: str, body: str, audience_choice: str, company: str = ""):
    """The announcement, its page live and its audience notified by the worker."""
    kind, audience_id, company_name = check_audience(audience_choice, company)
    announcement = Announcement(
        title=_title(title),
        body=body,
        body_html=render_markdown(body),
        audience=kind,
        audience_id=audience_id,
        audience_company=company_name,
        author=author,
    )
    db.session.add(announcement)
    db.session.flush()
    path = site_path("announcements.announcement", announcement_id=announcement.id)
    notify_later(
        "announcement",
        announcement.id,
        kind="announcement.published",
        title=announcement.title,
        url=path,
        actor=author,
        note=excerpt(announcement.body_html, 300),
        about=("announcement", announcement.id),
    )
    record_event(
        "announcement.published", actor=author, subject=announcement, title=announcement.title
    )
    return announcement


def send_test(author: User, *, title: str, body: str) -> None:
    """The announcement's mail to its author alone, now, as its audience will get it."""
    if not author.email:
        raise Refused("Your account has no address to send the test to.")
    mail_now(
        author,
        title=f"Test: {_title(title)}",
        note=excerpt(render_markdown(body), 300),
        url=site_path("announcements.index"),
        topic=BY_NAME["announcements"],
    )
