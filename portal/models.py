"""Imports every model module, so the metadata is complete for migrations and create_all."""

from portal.accounts.models import Plan, Role, User
from portal.activity.models import ActivityEvent
from portal.announcements.models import Announcement
from portal.attribution import ImportedRecord
from portal.badges.models import BadgeAward, BadgeCursor
from portal.changelog.models import ChangelogEntry, ChangelogIdea
from portal.events.models import Event, EventQuestion, EventResponse
from portal.follows.models import Follow
from portal.ideas.models import (
    Idea,
    IdeaComment,
    IdeaFollower,
    IdeaQuestion,
    IdeaStatusChange,
    IdeaVote,
)
from portal.insights.models import ActivityDay, IdeaDemand
from portal.mail.models import DigestSend, OutboxMail
from portal.moderation.models import Flag, ModerationLogEntry, ReviewItem
from portal.moderation.spam_models import SpamExample, SpamFingerprint, SpamModel
from portal.notifications.models import Notification, NotificationPreference
from portal.polls.models import Poll, PollOption, PollVote
from portal.search.models import SearchChange, SearchQuery
from portal.site.models import SiteSettings
from portal.support.models import Answer, Comment, Question, Revision, Vote
from portal.taxonomy.models import ProductArea, Tag
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ActivityDay",
    "ActivityEvent",
    "Announcement",
    "Answer",
    "BadgeAward",
    "BadgeCursor",
    "ChangelogEntry",
    "ChangelogIdea",
    "Comment",
    "DigestSend",
    "Event",
    "EventQuestion",
    "EventResponse",
    "Flag",
    "Follow",
    "Idea",
    "IdeaComment",
    "IdeaDemand",
    "IdeaFollower",
    "IdeaQuestion",
    "IdeaStatusChange",
    "IdeaVote",
    "ImportedRecord",
    "ModerationLogEntry",
    "Notification",
    "NotificationPreference",
    "OutboxMail",
    "Plan",
    "Poll",
    "PollOption",
    "PollVote",
    "ProductArea",
    "Question",
    "ReviewItem",
    "Revision",
    "Role",
    "SearchChange",
    "SearchQuery",
    "SiteSettings",
    "SpamExample",
    "SpamFingerprint",
    "SpamModel",
    "Tag",
    "User",
    "Vote",
    "WebhookDelivery",
    "WebhookEndpoint",
]
