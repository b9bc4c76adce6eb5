"""How each member hears about each topic: by mail at once, in a daily or weekly digest, in
the app only, or not at all.

A topic groups notification kinds a member thinks of as one thing ("answers to my
questions"). A member who never chose has the topic's default. Every notification is shown in
the app whatever the choice but "off"; mail goes out at once for "mail", in the next digest
(portal/mail/digests.py) for "daily" and "weekly". The "summary" topic is the digest's own
part: the community's news, weekly unless the member chose otherwise.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select

from portal.accounts.models import User
from portal.extensions import db
from portal.notifications.models import NotificationPreference
from portal.writes import Refused


class Delivery(StrEnum):
    MAIL = "mail"
    DAILY = "daily"
    WEEKLY = "weekly"
    APP = "app"
    OFF = "off"

    @property
    def label(self) -> str:
        return {
            "mail": "By mail at once",
            "daily": "In a daily digest mail",
            "weekly": "In a weekly digest mail",
            "app": "In the app only",
            "off": "Off",
        }[self.value]

    @property
    def by_mail(self) -> bool:
        return self in (Delivery.MAIL, Delivery.DAILY, Delivery.WEEKLY)


DIGESTS = (Delivery.DAILY, Delivery.WEEKLY)


@dataclass(frozen=True)
class Topic:
    name: str
    label: str
    kinds: tuple[str, ...]  # notification kinds; one ending in "." stands for all it starts
    default: Delivery = Delivery.MAIL
    may_be_off: bool = True  # a member may not silence what moderators tell them
    offers: tuple[Delivery, ...] = tuple(Delivery)
    labels: tuple[tuple[Delivery, str], ...] = ()  # the choices' own words, where they differ

    def covers(self, kind: str) -> bool:
        return any(kind == k or (k.endswith(".") and kind.startswith(k)) for k in self.kinds)

    @property
    def choices(self) -> tuple[Delivery, ...]:
        return tuple(d for d in self.offers if self.may_be_off or d is not Delivery.OFF)

    def label_of(self, choice: Delivery) -> str:
        return dict(self.labels).get(choice, choice.label)


TOPICS = (
    Topic("answers", "Answers to my questions", ("answer.posted",)),
    Topic("accepted", "My answers accepted", ("answer.accepted",)),
    Topic("mentions", "Mentions of my name (@Your_Name) in posts and comments", ("mention.",)),
    Topic(
        "comments",
        "Comments on my questions, answers and ideas",
        ("comment.", "idea.commented"),
    ),
    Topic(
        "idea_updates",
        "Status changes and merges of ideas I follow or voted for",
        ("idea.status_changed", "idea.merged", "idea.vote_added"),
    ),
    Topic(
        "question_updates",
        "My questions linked to an idea, turned into one, closed, or their idea shipped",
        (
            "idea.question_linked",
            "question.turned_into_idea",
            "question.closed",
            "idea.shipped_for_question",
        ),
    ),
    Topic(
        "watching",
        "New posts in what I watch: product areas, tags and questions",
        ("watch.",),
    ),
    Topic(
        "moderation",
        "Moderators' decisions about my posts and account",
        ("moderation.",),
        may_be_off=False,
    ),
    Topic("trust", "My trust level going up", ("trust.",), default=Delivery.APP),
    Topic("badges", "Badges I earn", ("badge.",), default=Delivery.APP),
    Topic("announcements", "Announcements from the team", ("announcement.",)),
    Topic("events", "Events I am going to: reminders, and a place freed for me", ("event.",)),
    Topic(
        "summary",
        "A digest of the community: top questions and ideas, where I could help, ideas that "
        "changed status",
        (),
        default=Delivery.WEEKLY,
        offers=(Delivery.DAILY, Delivery.WEEKLY, Delivery.OFF),
        labels=((Delivery.DAILY, "Daily"), (Delivery.WEEKLY, "Weekly"), (Delivery.OFF, "Off")),
    ),
)
SUMMARY = TOPICS[-1]
BY_NAME = {topic.name: topic for topic in TOPICS}
OTHER = Topic("other", "Everything else", (), default=Delivery.APP)


def topic_for(kind: str) -> Topic:
    return next((topic for topic in TOPICS if topic.covers(kind)), OTHER)


def choices_of(user_ids: Iterable[int]) -> dict[tuple[int, str], Delivery]:
    """The choices these members made, by (member, topic): one query for a batch of mail."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(NotificationPreference).where(NotificationPreference.user_id.in_(ids))
    ).scalars()
    return {(row.user_id, row.topic): Delivery(row.delivery) for row in rows}


def delivery(choices: dict[tuple[int, str], Delivery], user_id: int, topic: Topic) -> Delivery:
    return choices.get((user_id, topic.name), topic.default)


def preferences_of(user: User) -> dict[str, Delivery]:
    """Every topic's delivery for `user`, their choice or the default."""
    choices = choices_of([user.id])
    return {topic.name: delivery(choices, user.id, topic) for topic in TOPICS}


def check_delivery(topic_name: str, value: str) -> tuple[Topic, Delivery]:
    topic = BY_NAME.get(topic_name)
    if topic is None:
        raise Refused("There is no such kind of notification.")
    try:
        chosen = Delivery(value)
    except ValueError:
        raise Refused(f"Choose how to hear about “{topic.label}”.", field=topic_name) from None
    if chosen not in topic.choices:
        raise Refused(f"“{topic.label}” cannot be turned off.", field=topic_name)
    return topic, chosen


def set_preferences(user: User, chosen: dict[str, str], *, mail_paused: bool) -> None:
    """Keep `user`'s choices (topic name -> delivery); a choice equal to the default is kept
    as no row, so a better default later reaches those who never chose."""
    checked = [check_delivery(name, value) for name, value in chosen.items()]
    for topic, value in checked:
        _keep(user, topic, value)
    user.mail_paused = mail_paused
    db.session.flush()


def _keep(user: User, topic: Topic, value: Delivery) -> None:
    db.session.execute(
        delete(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.topic == topic.name
        )
    )
    if value is not topic.default:
        db.session.add(NotificationPreference(user_id=user.id, topic=topic.name, delivery=value))


def mail_again(user: User) -> None:
    """The member says their address works again after the server refused it: mail resumes,
    and stops again if it is refused again."""
    user.email_undeliverable_at = None
    db.session.flush()


def stop_mail(user: User, topic: Topic) -> None:
    """What an unsubscribe link does: the topic in the app only (still seen there). The
    digest's link stops the digest: its summary, and every topic chosen for a digest."""
    choices = choices_of([user.id])
    if topic is SUMMARY:
        _keep(user, topic, Delivery.OFF)
        stopped = [
            t for t in TOPICS if t is not SUMMARY and delivery(choices, user.id, t) in DIGESTS
        ]
    else:
        stopped = [topic] if delivery(choices, user.id, topic).by_mail else []
    for each in stopped:
        _keep(user, each, Delivery.APP)
    db.session.flush()


# Unsubscribe links: a member and a topic, signed. They do not expire (mail is read late, and
# RFC 8058 asks that the link keep working), and they only ever stop mail.


def _links() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="portal-unsubscribe")


def unsubscribe_token(user_id: int, topic: Topic) -> str:
    return _links().dumps([user_id, topic.name])


def read_unsubscribe_token(token: str) -> tuple[User, Topic] | None:
    try:
        user_id, topic_name = _links().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    topic = BY_NAME.get(topic_name) if isinstance(topic_name, str) else None
    if user is None or topic is None:
        return None
    return user, topic
