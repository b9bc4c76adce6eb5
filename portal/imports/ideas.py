"""`--ideas-from-tag`: questions with that tag become ideas, their answers the ideas' comments.

Status tags map to idea statuses (status-completed: Shipped; status-declined and status-bydesign:
Declined; status-planned: Planned; status-review: Under review; anything else: New). The score
becomes the idea's imported votes, to which real votes on the portal add.
"""

from collections import Counter

from sqlalchemy import insert, update

from portal.extensions import db
from portal.ideas.models import Idea, IdeaComment, IdeaStatus, IdeaStatusChange
from portal.imports.stackexchange import (
    StackExchangeImport,
    clean_body,
    parse_date,
    parse_tags,
)

STATUS_TAGS = {
    "status-completed": IdeaStatus.SHIPPED,
    "status-declined": IdeaStatus.DECLINED,
    "status-bydesign": IdeaStatus.DECLINED,
    "status-planned": IdeaStatus.PLANNED,
    "status-review": IdeaStatus.UNDER_REVIEW,
}


def status_of(tags: list[str]) -> IdeaStatus:
    for tag in tags:
        if tag in STATUS_TAGS:
            return STATUS_TAGS[tag]
    return IdeaStatus.NEW


def import_ideas(importer: StackExchangeImport, rows: list[dict]) -> None:
    authors = importer._authors(rows)
    values = []
    for r in rows:
        created = parse_date(r["CreationDate"], "Posts.xml", r["Id"])
        changed = parse_date(r.get("LastActivityDate") or r["CreationDate"], "Posts.xml", r["Id"])
        owner = authors.get(int(r["OwnerUserId"])) if r.get("OwnerUserId") else None
        values.append(
            {
                "title": r["Title"][:150],
                "body": "",
                "body_html": clean_body(r.get("Body", "")),
                "author_id": owner.target_id if owner else None,
                "product_area_id": importer.area.id,
                "status": status_of(parse_tags(r.get("Tags"))),
                "status_changed_at": changed,
                "vote_count": 0,
                "imported_votes": max(int(r.get("Score") or 0), 0),
                "comment_count": 0,
                "created_at": created,
                "updated_at": changed,
            }
        )
    ids = importer._insert(Idea, values)
    history = [
        {
            "idea_id": idea_id,
            "actor_id": None,
            "from_status": None,
            "to_status": value["status"],
            "note": f"Status carried over from {importer.site}.",
            "created_at": value["status_changed_at"],
        }
        for value, idea_id in zip(values, ids, strict=True)
        if value["status"] != IdeaStatus.NEW
    ]
    if history:
        db.session.execute(insert(IdeaStatusChange.__table__), history)
    importer._map(
        [
            {
                "source_type": "post",
                "source_id": int(r["Id"]),
                "target_type": "idea",
                "target_id": idea_id,
                "author_name": importer._author_name(r, authors),
                "license": r.get("ContentLicense"),
            }
            for r, idea_id in zip(rows, ids, strict=True)
        ]
    )
    importer._events(
        [
            {
                "kind": "idea.suggested",
                "actor_id": v["author_id"],
                "product_area_id": importer.area.id,
                "subject_type": "idea",
                "subject_id": idea_id,
                "created_at": v["created_at"],
                "data": {"title": v["title"], "imported_from": importer.site},
            }
            for v, idea_id in zip(values, ids, strict=True)
        ]
    )
    importer._search_changes("idea", list(ids))
    importer.new_posts += len(rows)
    importer.summary.ideas += len(rows)


def import_idea_comments(importer: StackExchangeImport, rows: list[dict], parents: dict) -> None:
    """Answers to an idea's question become comments on the idea."""
    authors = importer._authors(rows)
    values = []
    for r in rows:
        owner = authors.get(int(r["OwnerUserId"])) if r.get("OwnerUserId") else None
        values.append(
            {
                "idea_id": parents[int(r["ParentId"])].target_id,
                "author_id": owner.target_id if owner else None,
                "body": "",
                "body_html": clean_body(r.get("Body", "")),
                "is_official": False,
                "created_at": parse_date(r["CreationDate"], "Posts.xml", r["Id"]),
            }
        )
    ids = importer._insert(IdeaComment, values)
    for idea_id, count in Counter(v["idea_id"] for v in values).items():
        db.session.execute(
            update(Idea).where(Idea.id == idea_id).values(comment_count=Idea.comment_count + count)
        )
    importer._map(
        [
            {
                "source_type": "post",
                "source_id": int(r["Id"]),
                "target_type": "idea_comment",
                "target_id": comment_id,
                "author_name": importer._author_name(r, authors),
                "license": r.get("ContentLicense"),
            }
            for r, comment_id in zip(rows, ids, strict=True)
        ]
    )
    importer._search_changes("idea", sorted({v["idea_id"] for v in values}))
    importer.new_posts += len(rows)
    importer.summary.comments += len(rows)
