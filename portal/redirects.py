"""Redirect targets that cannot leave the site (open-redirect protection for `next`)."""

from urllib.parse import urlsplit


def is_local_url(target: str | None) -> bool:
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_url(target: str | None, *, fallback: str) -> str:
    return target if is_local_url(target) else fallback
