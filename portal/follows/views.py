from flask import abort, flash, redirect, request
from flask_login import current_user, login_required

from portal.accounts.permissions import Permission, require
from portal.follows import bp
from portal.follows.models import MUTED, WATCHING
from portal.follows.services import set_level
from portal.follows.targets import TARGETS
from portal.writes import write

DONE = {
    WATCHING: "You are watching {name}: you will hear about {what}.",
    MUTED: "You muted {name}: you will hear nothing about it.",
}


@bp.post("/follow/<kind>/<int:target_id>")
@login_required
def set_follow_level(kind: str, target_id: int):
    target = TARGETS.get(kind)
    found = target.find(target_id, current_user) if target else None
    if found is None:
        abort(404)
    require(Permission.FOLLOW)
    name, url = found
    level = request.form.get("level", "")
    write(lambda: set_level(current_user, kind, target_id, level), back=url)
    message = DONE.get(level, "You follow {name} as usual again.")
    flash(message.format(name=name, what=target.levels.get(WATCHING, "").lower()), "success")
    return redirect(url)
