"""Markdown to safe HTML, rendered once on write and stored (never on every read).

markdown-it-py parses CommonMark with tables and strikethrough and raw HTML off; Pygments
highlights fenced code; nh3 (ammonia) keeps only an allow-list of tags and attributes, drops
`javascript:` URLs and gives every link rel="nofollow ugc noopener".

An image from another site is not loaded: it becomes a link ("image: alt (example.com)") the
reader may choose to open. A remote image loads when the page is read, so its host learns who
read the post and when (a tracking pixel). Only relative URLs (this site's own files) stay
images; the Content-Security-Policy (`img-src 'self' data:`) blocks any other that gets through.
"""

import functools
import html
import re
from urllib.parse import urljoin, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "span": {"class"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_formatter = HtmlFormatter(nowrap=True, classprefix="hl-")


def _highlight(code: str, language: str, _attrs) -> str:
    try:
        lexer = get_lexer_by_name(language) if language else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""  # markdown-it escapes and wraps it as a plain code block
    return highlight(code, lexer, _formatter)


_parser = (
    MarkdownIt("commonmark", {"html": False, "highlight": _highlight})
    .enable("table")
    .enable("strikethrough")
)


# Built once: nh3.clean() would convert the allow-lists for every call (a fifth of its time).
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="nofollow ugc noopener",
)


def sanitize_html(raw_html: str) -> str:
    cleaned = _cleaner.clean(raw_html)
    if "<img" not in cleaned:
        return cleaned
    return _cleaner.clean(remote_images_as_links(cleaned))


def render_markdown(text: str, mentions: dict[str, str] | None = None) -> str:
    """`mentions`: casefolded names written after "@" -> the path of the member's profile
    (portal/mentions.py); those become links, any other "@name" stays text."""
    return sanitize_html(_parser.render(text or "", {"mentions": mentions or {}}))


# After a space, a bracket or the start: not inside a word or an e-mail address.
MENTION = re.compile(r"(?<![\w@.])@(\w[\w'.\-]*)")


def mention_name(match: re.Match) -> str:
    """The name a MENTION match names, without the punctuation that ends a sentence."""
    return match.group(1).rstrip("'.-")


def _link_mentions(state) -> None:
    """Turn each known "@name" in the text of paragraphs, headings and table cells into a link
    (never inside a link or code, which are tokens of their own)."""
    links = state.env.get("mentions") if isinstance(state.env, dict) else None
    if not links:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, in_link = [], 0
        for token in block.children:
            in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            if token.type == "text" and not in_link and "@" in token.content:
                children.extend(_mention_tokens(token.content, links))
            else:
                children.append(token)
        block.children = children


def prose_text(text: str) -> str:
    """The words of Markdown `text` that are not code or links: where a mention counts."""
    words, in_link = [], 0
    for block in _parser.parse(text or ""):
        for token in block.children or ():
            in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            if token.type == "text" and not in_link:
                words.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                words.append("\n")
        words.append("\n")
    return " ".join(words)


def _mention_tokens(content: str, links: dict[str, str]) -> list[Token]:
    tokens, done = [], 0
    for match in MENTION.finditer(content):
        name = mention_name(match)
        path = links.get(name.casefold())
        if path is None:
            continue
        start, end = match.start(), match.start() + 1 + len(name)
        tokens.append(_text(content[done:start]))
        opening = Token("link_open", "a", 1)
        opening.attrs = {"href": path}
        tokens += [opening, _text(content[start:end]), Token("link_close", "a", -1)]
        done = end
    tokens.append(_text(content[done:]))
    return [token for token in tokens if token.type != "text" or token.content]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


_parser.core.ruler.push("mentions", _link_mentions)


# Browsers drop these from URLs, and read a backslash as a slash ("/\\evil.example" is remote).
_URL_IGNORED = re.compile(r"[\t\n\r]")
_OUR_SITE = urlsplit("https://portal.invalid/posts/")


def _resolved(src: str):
    """`src` as a browser resolves it on one of our pages, with our host a placeholder (None
    for a URL that does not parse, such as "http://[bad")."""
    url = _URL_IGNORED.sub("", src).strip(" \x00\x0b\x0c").replace("\\", "/")
    try:
        return urlsplit(urljoin(_OUR_SITE.geturl(), url))
    except ValueError:
        return None


def is_our_own(src: str) -> bool:
    """A relative URL: a file of this site. An absolute URL is remote even with our host name
    in it: which host a request names is up to the client, so it cannot vouch for a URL."""
    resolved = _resolved(src) if src.strip() else None
    return resolved is not None and resolved.netloc == _OUR_SITE.netloc


def remote_images_as_links(fragment: str) -> str:
    """Sanitised HTML with every image not on this site made a link to it (see above), or
    text inside the link that holds it; run through the sanitiser again after it. Also used
    to rewrite posts stored before the rule."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(fragment, "html.parser")
    for image in soup.find_all("img"):
        src = (image.get("src") or "").strip()
        if is_our_own(src):
            continue
        alt = " ".join((image.get("alt") or "").split())
        resolved = _resolved(src) if src else None
        host = resolved.hostname if resolved is not None else None
        text = "image" + (f": {alt}" if alt else "") + (f" ({host})" if host else "")
        if src and image.find_parent("a") is None:
            link = soup.new_tag("a", href=src)
            link.string = text
            image.replace_with(link)
        else:
            image.replace_with(text)
    return str(soup)


@functools.lru_cache(maxsize=512)
def html_to_text(fragment: str) -> str:
    """Plain text of stored HTML (for search documents, meta descriptions and a question page's
    structured data, which shows every answer's text: kept for the posts read most)."""
    # A space before every tag keeps words in adjacent blocks (</p><p>) apart.
    text = nh3.clean((fragment or "").replace("<", " <"), tags=set())
    return " ".join(html.unescape(text).split())


def excerpt(fragment: str, limit: int = 160) -> str:
    """The plain text of stored HTML, cut at a word to at most `limit` characters."""
    text = html_to_text(fragment)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def html_to_markdown(fragment: str) -> str:
    """Markdown source for a post that has only HTML (imported posts), made when it is edited."""
    from markdownify import markdownify

    return markdownify(fragment or "", heading_style="ATX", bullets="-").strip()


def editable_source(post) -> str:
    """The Markdown an editor starts from: the post's own, or one made from its HTML."""
    return post.body or html_to_markdown(post.body_html)
