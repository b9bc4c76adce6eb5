"""Search documents for the badges members have earned (each public, with what earns it and
how many have it): found under "Badges". A badge's document id is its place in `BADGES`,
counted from 1 (the table only grows); each award asks for its badge's document again.
The count is the badge page's: members who are not suspended."""

from datetime import datetime

from portal.badges.definitions import BADGES
from portal.badges.queries import earner_counts
from portal.search.documents import DocumentSource, register_source, url_builder

LISTED_SINCE = datetime(2026, 12, 1)  # "newest" needs a date; badges have none of their own
NUMBERS = {badge.key: number for number, badge in enumerate(BADGES, start=1)}


def badge_documents(ids: list[int]) -> dict[int, dict | None]:
    build = url_builder()
    earned = earner_counts()

    def document(doc_id: int) -> dict | None:
        badge = BADGES[doc_id - 1] if 1 <= doc_id <= len(BADGES) else None
        if badge is None or not earned.get(badge.key):
            return None
        members = earned[badge.key]
        return {
            "title": f"{badge.name} badge",
            "body": f"{badge.description}. A {badge.tier} badge, earned by {members} "
            f"{'member' if members == 1 else 'members'}.",
            "solved": False,
            "created": LISTED_SINCE,
            "votes": members,
            "url": build("badges.badge", {"key": badge.key}),
        }

    return {doc_id: document(doc_id) for doc_id in ids}


def _earned_numbers() -> list[int]:
    return sorted(NUMBERS[key] for key in earner_counts() if key in NUMBERS)


def _titled(words: list[str], limit: int) -> list[int]:
    return [
        number
        for number in _earned_numbers()
        if all(word.lower() in f"{BADGES[number - 1].name} badge".lower() for word in words)
    ][:limit]


register_source(
    DocumentSource(
        "badge",
        badge_documents,
        lambda batch: iter([_earned_numbers()]),
        lambda: len(_earned_numbers()),
        titles_like=_titled,
    ),
    listed="Badges",
)
