"""A member's badges on their profile (portal/attachments: the profile imports no feature)."""

from portal.attachments import Attachment, attachment_loader
from portal.badges.queries import badges_of


@attachment_loader
def badges_on_profile(kind: str, post_id: int) -> Attachment | None:
    if kind != "user":
        return None
    return Attachment(template="badges/_profile.html", items=badges_of(post_id))
