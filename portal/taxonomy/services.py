"""Product areas and tags: naming rules and lookups used by support and ideas."""

import re

from slugify import slugify
from sqlalchemy.exc import IntegrityError

from portal.database import begin_transaction
from portal.extensions import db
from portal.taxonomy.models import ProductArea, Tag
from portal.writes import Refused

TAG_MAX_LENGTH = 35
_TAG_INVALID = re.compile(r"[^a-z0-9+#.\-]+")


def normalise_tag(raw: str) -> str:
    """`  Dark Mode_UI ` -> `dark-mode-ui`; keeps + # . for names like c++, c#, node.js."""
    tag = raw.strip().lower().replace("_", "-")
    tag = re.sub(r"\s+", "-", tag)
    tag = _TAG_INVALID.sub("", tag)
    tag = re.sub(r"-{2,}", "-", tag).strip("-.")
    return tag[:TAG_MAX_LENGTH]


def parse_tags(raw: str) -> list[str]:
    """Split a comma or space separated string into distinct normalised tags, in order."""
    seen: list[str] = []
    for part in re.split(r"[,\s]+", raw or ""):
        tag = normalise_tag(part)
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def get_or_create_tags(names: list[str]) -> list[Tag]:
    """Tags for `names`, creating the missing ones (safe against a concurrent create)."""
    if not names:
        return []
    existing = {
        tag.name: tag for tag in db.session.scalars(db.select(Tag).where(Tag.name.in_(names)))
    }
    for name in names:
        if name not in existing:
            try:
                begin_transaction()  # the savepoint's
                with db.session.begin_nested():
                    tag = Tag(name=name)
                    db.session.add(tag)
                existing[name] = tag
            except IntegrityError:
                existing[name] = db.session.execute(
                    db.select(Tag).where(Tag.name == name)
                ).scalar_one()
    return [existing[name] for name in names]


def suggest_tags(prefix: str, limit: int = 10) -> list[str]:
    prefix = normalise_tag(prefix)
    if not prefix:
        return []
    return list(
        db.session.scalars(
            db.select(Tag.name).where(Tag.name.like(f"{prefix}%")).order_by(Tag.name).limit(limit)
        )
    )


def all_areas() -> list[ProductArea]:
    return list(
        db.session.scalars(db.select(ProductArea).order_by(ProductArea.position, ProductArea.name))
    )


def area_by_slug(slug: str) -> ProductArea | None:
    return db.session.execute(
        db.select(ProductArea).where(ProductArea.slug == slug)
    ).scalar_one_or_none()


def save_area(
    area: ProductArea | None, *, name: str, slug: str | None, description: str
) -> ProductArea:
    """Create (area=None) or update a product area; slug defaults to one made from the name."""
    slug = slugify(slug or name, max_length=80)
    if not slug:
        raise Refused("Give the product area a name with at least one letter or digit.")
    others = db.select(ProductArea).where((ProductArea.slug == slug) | (ProductArea.name == name))
    if area is not None:
        others = others.where(ProductArea.id != area.id)
    # One area may hold the slug and another the name: either clash is reason enough.
    clash = db.session.scalars(others.limit(1)).first()
    if clash is not None:
        raise Refused(f"A product area named “{clash.name}” (/{clash.slug}) already exists.")
    if area is None:
        area = ProductArea(position=len(all_areas()))
        db.session.add(area)
    area.name = name.strip()
    area.slug = slug
    area.description = description.strip()
    db.session.flush()
    return area
