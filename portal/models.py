"""Imports every model module, so the metadata is complete for migrations and create_all."""

from portal.accounts.models import Plan, Role, User
from portal.ideas.models import Idea, IdeaComment, IdeaFollower, IdeaStatusChange, IdeaVote
from portal.insights.models import ActivityEvent
from portal.notifications.models import Notification
from portal.search.models import SearchChange
from portal.site.models import SiteSettings
from portal.taxonomy.models import ProductArea, Tag

__all__ = [
    "ActivityEvent",
    "Idea",
    "IdeaComment",
    "IdeaFollower",
    "IdeaStatusChange",
    "IdeaVote",
    "Notification",
    "Plan",
    "ProductArea",
    "Role",
    "SearchChange",
    "SiteSettings",
    "Tag",
    "User",
]
