"""Read and change the brand settings and guidelines."""

import re
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import event

from portal.activity import record_event
from portal.caching import cached
from portal.clock import utcnow
from portal.extensions import db
from portal.markdown import render_markdown
from portal.site.logo import LOGO_EXTENSION, clean_logo
from portal.site.models import (
    DEFAULT_COMMUNITY_NAME,
    DEFAULT_PRIMARY_COLOR,
    DEFAULT_TAGLINE,
    SiteSettings,
)
from portal.writes import Refused

_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

DEFAULT_GUIDELINES = """\
## Be kind, be helpful

This community is where customers help each other and talk with the team that builds the product.

- **Search before you ask.** Someone may already have solved your problem.
- **One question per post**, with what you tried and what happened.
- **Vote** for answers that helped and ideas you want; **accept** the answer that solved it.
- **Be respectful.** Disagree with ideas, not people. No harassment, spam or self-promotion.
- **Keep private data private.** Never post passwords, keys or personal information.

Moderators may edit, close or remove posts that break these guidelines, and suspend accounts
that keep doing so.
"""


def get_settings() -> SiteSettings:
    """The settings as pages show them, read once per process until the community changes
    (saving them records an event): a copy in no session, for reading only. An unsaved
    default when none exists yet. Changes go through the functions below."""
    return cached("site_settings", compute=_read_settings)


def _read_settings() -> SiteSettings:
    row = db.session.execute(db.select(SiteSettings.__table__).where(SiteSettings.id == 1)).first()
    return SiteSettings(**row._mapping) if row else _default_settings()


def _default_settings() -> SiteSettings:
    return SiteSettings(
        id=1,
        community_name=DEFAULT_COMMUNITY_NAME,
        tagline=DEFAULT_TAGLINE,
        primary_color=DEFAULT_PRIMARY_COLOR,
        guidelines_markdown=DEFAULT_GUIDELINES,
        guidelines_html=render_markdown(DEFAULT_GUIDELINES),
    )


def _persisted_settings() -> SiteSettings:
    settings = db.session.get(SiteSettings, 1)
    if settings is None:
        settings = _default_settings()
        db.session.add(settings)
    return settings


def _saved(settings: SiteSettings, *, by=None) -> SiteSettings:
    """Flush a change; its event tells every process to read the settings again."""
    record_event("site.settings_changed", actor=by)
    db.session.flush()
    return settings


def contrast_with_white(hex_color: str) -> float:
    """WCAG contrast ratio of white text on this colour (1 to 21)."""

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g_, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g_) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def validate_color(value: str) -> str:
    if not _HEX_COLOR.match(value or ""):
        raise Refused("Use a colour like #2457c5 (a # and six hex digits).", field="primary_color")
    ratio = contrast_with_white(value)
    if ratio < 4.5:
        raise Refused(
            f"White text on {value} has a contrast of {ratio:.1f}:1; pick a darker colour "
            "(at least 4.5:1) so buttons and links stay readable.",
            field="primary_color",
        )
    return value.lower()


def update_brand(*, community_name: str, tagline: str, primary_color: str) -> SiteSettings:
    settings = _persisted_settings()
    settings.community_name = community_name.strip()
    settings.tagline = tagline.strip()
    settings.primary_color = validate_color(primary_color)
    settings.updated_at = utcnow()
    return _saved(settings)


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_logo(data: bytes) -> SiteSettings:
    """Make the upload the logo, drawn again as a PNG under a name of our own (see
    `portal.site.logo`). The logo it replaces is deleted once the change is committed; the
    new file is deleted if the change is rolled back."""
    cleaned = clean_logo(data)
    name = f"logo-{secrets.token_hex(8)}.{LOGO_EXTENSION}"
    (upload_dir() / name).write_bytes(cleaned)
    _delete_file_after("rollback", name)
    return _change_logo(name)


def remove_logo() -> SiteSettings:
    return _change_logo(None)


def _change_logo(name: str | None) -> SiteSettings:
    settings = _persisted_settings()
    if settings.logo_filename:
        _delete_file_after("commit", settings.logo_filename)
    settings.logo_filename = name
    settings.updated_at = utcnow()
    return _saved(settings)


def _delete_file_after(outcome: str, name: str) -> None:
    """Delete upload `name` once the session's transaction ends in `outcome`, so the files on
    disk follow what the database says, whichever way the view ends the transaction."""
    db.session.info.setdefault(f"delete_after_{outcome}", []).append(name)


def _delete_files(session, outcome: str) -> None:
    names = session.info.pop(f"delete_after_{outcome}", [])
    session.info.pop(f"delete_after_{'rollback' if outcome == 'commit' else 'commit'}", None)
    for name in names:
        (Path(current_app.config["UPLOAD_DIR"]) / name).unlink(missing_ok=True)


@event.listens_for(db.session, "after_commit")
def _after_commit(session) -> None:
    _delete_files(session, "commit")


@event.listens_for(db.session, "after_rollback")
def _after_rollback(session) -> None:
    _delete_files(session, "rollback")


def update_guidelines(markdown_text: str, *, by, accept_again: bool = False) -> SiteSettings:
    """Publish the guidelines; with `accept_again` (a material change) every member accepts
    them again at their next visit."""
    settings = _persisted_settings()
    settings.guidelines_markdown = markdown_text
    settings.guidelines_html = render_markdown(markdown_text)
    settings.guidelines_updated_at = utcnow()
    if accept_again:
        settings.guidelines_accept_again_since = settings.guidelines_updated_at
    settings.guidelines_updated_by_id = by.id
    return _saved(settings, by=by)
