"""The changelog as an Atom feed (RFC 4287); every link on the configured public address."""

from xml.etree import ElementTree

from portal.changelog.models import ChangelogEntry
from portal.clock import utcnow
from portal.public_url import public_url
from portal.site.services import get_settings

ATOM = "http://www.w3.org/2005/Atom"


def _stamp(moment) -> str:
    return f"{moment.isoformat(timespec='seconds')}Z"  # naive UTC


def atom_feed(entries: list[ChangelogEntry]) -> bytes:
    ElementTree.register_namespace("", ATOM)
    root = ElementTree.Element(f"{{{ATOM}}}feed")

    def add(parent, tag: str, text: str | None = None, **attributes) -> ElementTree.Element:
        element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        element.text = text
        return element

    home = public_url("changelog.index")
    add(root, "title", f"{get_settings().community_name}: what shipped")
    add(root, "id", home)
    add(root, "link", href=home)
    add(root, "link", rel="self", href=public_url("changelog.feed"))
    add(root, "updated", _stamp(max((e.published_at for e in entries), default=utcnow())))
    for entry in entries:
        url = public_url("changelog.entry", entry_id=entry.id)
        node = add(root, "entry")
        add(node, "title", entry.title)
        add(node, "id", url)
        add(node, "link", href=url)
        add(node, "updated", _stamp(entry.published_at))
        if entry.author is not None:
            add(add(node, "author"), "name", entry.author.display_name)
        add(node, "content", entry.body_html, type="html")
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
