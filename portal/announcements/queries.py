from sqlalchemy import func, or_, select

from portal.accounts.models import Plan
from portal.accounts.permissions import Permission, can
from portal.announcements.models import AREA, COMPANY, EVERYONE, PLAN, Announcement
from portal.extensions import db
from portal.taxonomy.services import all_areas


def may_see(announcement: Announcement, viewer) -> bool:
    """An announcement to everyone or to an area's watchers is public; one to a plan or a
    company is for its members and the team."""
    if announcement.audience in (EVERYONE, AREA) or can(viewer, Permission.ANNOUNCE):
        return True
    if not getattr(viewer, "is_authenticated", False):
        return False
    if announcement.audience == PLAN:
        return viewer.plan_id == announcement.audience_id
    company = (viewer.company or "").strip().lower()
    return bool(company) and company == (announcement.audience_company or "").lower()


def announcements_for(viewer, limit: int = 50) -> list[Announcement]:
    query = select(Announcement).order_by(Announcement.created_at.desc(), Announcement.id.desc())
    if not can(viewer, Permission.ANNOUNCE):
        seen = [Announcement.audience.in_((EVERYONE, AREA))]
        if getattr(viewer, "is_authenticated", False):
            if viewer.plan_id is not None:
                seen.append(
                    (Announcement.audience == PLAN) & (Announcement.audience_id == viewer.plan_id)
                )
            if (viewer.company or "").strip():
                seen.append(
                    (Announcement.audience == COMPANY)
                    & (func.lower(Announcement.audience_company) == viewer.company.strip().lower())
                )
        query = query.where(or_(*seen))
    return list(db.session.scalars(query.limit(limit)))


def audience_choices() -> list[tuple[str, str]]:
    """The form's audiences: (value, label), as services.check_audience reads the value."""
    plans = db.session.scalars(select(Plan).order_by(Plan.position, Plan.name))
    return [
        ("everyone", "Everyone"),
        *((f"area:{area.id}", f"Who watches {area.name}") for area in all_areas()),
        *((f"plan:{plan.id}", f"Members on the {plan.name} plan") for plan in plans),
        ("company", "One company's members (name it below)"),
    ]
