from datetime import date

from flask import abort, render_template, request
from markupsafe import Markup

from portal.badges import bp
from portal.badges.definitions import BADGES, BRONZE, BY_KEY, GOLD, SILVER
from portal.badges.queries import earner_counts, recent_earners, top_accepted, top_helpful
from portal.caching import cached
from portal.clock import utcnow
from portal.taxonomy.services import all_areas

KEEP_SECONDS = 300  # the boards are the same for everyone and change slowly


def _month() -> date:
    """`?month=2026-11`, else this month; a month that cannot be read is this month."""
    today = utcnow().date().replace(day=1)
    text = request.args.get("month", "")[:7]
    try:
        year, month = (int(part) for part in text.split("-"))
        chosen = date(year, month, 1)
    except ValueError:
        return today
    return chosen if date(2000, 1, 1) <= chosen <= today else today


@bp.get("/leaderboard")
def leaderboard():
    month = _month()
    slug = request.args.get("area", "")[:80]
    area = next((a for a in all_areas() if a.slug == slug), None) if slug else None
    area_id = area.id if area else None

    def boards() -> Markup:
        return Markup(
            render_template(
                "badges/_boards.html",
                accepted=top_accepted(month, area_id),
                helpful=top_helpful(month, area_id),
            )
        )

    previous = (month.replace(day=1) - date.resolution).replace(day=1)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return render_template(
        "badges/leaderboard.html",
        boards=cached("badges.boards", month, area_id, compute=boards, max_age=KEEP_SECONDS),
        month=month,
        previous=previous,
        following=following if following <= utcnow().date() else None,
        area=area,
        areas=all_areas(),
        badges=BADGES,
    )


@bp.get("/badges")
def badges():
    return render_template(
        "badges/badges.html",
        tiers=[(tier, [b for b in BADGES if b.tier == tier]) for tier in (GOLD, SILVER, BRONZE)],
        earners=cached("badges.earner_counts", compute=earner_counts),
    )


@bp.get("/badges/<key>")
def badge(key: str):
    chosen = BY_KEY.get(key)
    if chosen is None:
        abort(404, description="There is no badge by that name.")
    return render_template(
        "badges/badge.html",
        badge=chosen,
        earned_by=cached("badges.earner_counts", compute=earner_counts).get(chosen.key, 0),
        recent=recent_earners(chosen),
    )
