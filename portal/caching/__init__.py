"""What the portal keeps between requests: costly results by community version
(`results`), and pages and parts of pages by viewer class (`pages`)."""

from portal.caching.pages import (
    checked_can,
    checked_offered,
    few_members,
    fill_slot,
    is_page,
    kept_for_viewer,
    kept_page,
    kept_part,
    post_page,
    rendering_kept_content,
    viewer_class,
    viewer_slot,
)
from portal.caching.results import (
    VersionedCache,
    cached,
    community_version,
    note_community_version,
    with_community_version,
)

__all__ = [
    "VersionedCache",
    "cached",
    "checked_can",
    "checked_offered",
    "community_version",
    "few_members",
    "fill_slot",
    "is_page",
    "kept_for_viewer",
    "kept_page",
    "kept_part",
    "note_community_version",
    "post_page",
    "rendering_kept_content",
    "viewer_class",
    "viewer_slot",
    "with_community_version",
]
