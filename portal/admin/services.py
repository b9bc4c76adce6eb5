"""Admin-managed lists that belong to no single feature: customer plans."""

from slugify import slugify

from portal.accounts.models import Plan
from portal.accounts.services import all_plans
from portal.extensions import db
from portal.writes import Refused


def save_plan(plan: Plan | None, *, name: str, weight: float) -> Plan:
    slug = slugify(name, max_length=60)
    if not slug:
        raise Refused("Give the plan a name with at least one letter or digit.")
    clash = db.session.execute(
        db.select(Plan).where((Plan.slug == slug) | (Plan.name == name.strip()))
    ).scalar_one_or_none()
    if clash is not None and clash is not plan:
        raise Refused(f"A plan named “{clash.name}” already exists.")
    if plan is None:
        plan = Plan(position=len(all_plans()))
        db.session.add(plan)
    plan.name = name.strip()
    plan.slug = slug
    plan.weight = weight
    db.session.flush()
    return plan
