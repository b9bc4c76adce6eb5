"""Labelled text for training the spam filter, read from folders outside the repository.

Two kinds of folder are understood, found by what they hold (searched recursively):
- CSV files with `CONTENT` and `CLASS` columns (1 spam, 0 legitimate), as in the YouTube Spam
  Collection by Alberto, Lochter and Almeida (UCI ML Repository, CC BY 4.0);
- a Stack Exchange data dump (`Posts.xml`), whose questions and answers are legitimate text.
"""

import csv
import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from portal.markdown import html_to_text

STACK_EXCHANGE_POSTS = {"1", "2"}  # questions and answers; tag wikis are not posts people write
# A link keeps its address beside its words, as a Markdown post in the portal does.
_LINK = re.compile(r"<a\b[^>]*?\bhref=\"([^\"]*)\"[^>]*>(.*?)</a>", re.I | re.S)


class LabelledDataError(ValueError):
    """A folder of labelled text cannot be used as it is; the message says why."""


@dataclass(frozen=True)
class Example:
    text: str
    is_spam: bool
    source: str  # the file it came from, e.g. "Youtube01-Psy.csv"


def html_post_text(fragment: str) -> str:
    """Plain text of an HTML post or comment, its links' addresses kept."""
    return html_to_text(_LINK.sub(r"\2 (\1)", fragment or ""))


def read_folder(folder: Path, progress: Callable[[str], None] | None = None) -> Iterator[Example]:
    """Every labelled example under `folder`; LabelledDataError when it holds none or a file
    cannot be read."""
    folder = Path(folder)
    if not folder.is_dir():
        raise LabelledDataError(f"{folder}: no such folder.")
    csv_files = sorted(folder.rglob("*.csv"))
    dumps = sorted(folder.rglob("Posts.xml"))
    if not csv_files and not dumps:
        raise LabelledDataError(
            f"{folder} holds no labelled text: expected CSV files with CONTENT and CLASS "
            "columns, or a Stack Exchange dump (Posts.xml)."
        )
    for path in csv_files:
        if progress:
            progress(str(path.relative_to(folder)))
        yield from read_csv(path)
    for path in dumps:
        if progress:
            progress(str(path.relative_to(folder)))
        yield from read_stack_exchange_posts(path)


def read_csv(path: Path) -> Iterator[Example]:
    """Rows of a CSV with CONTENT (text, HTML entities as collected) and CLASS (1 spam, 0 not)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = {"CONTENT", "CLASS"} - set(reader.fieldnames or ())
            if missing:
                raise LabelledDataError(
                    f"{path.name} has no {' or '.join(sorted(missing))} column "
                    f"(its columns: {', '.join(reader.fieldnames or ()) or 'none'})."
                )
            for line, row in enumerate(reader, start=2):
                label = (row.get("CLASS") or "").strip()
                if label not in {"0", "1"}:
                    raise LabelledDataError(
                        f"{path.name}, line {line}: CLASS is {label!r}, expected 1 (spam) or 0."
                    )
                text = html_post_text(html.unescape(row.get("CONTENT") or ""))
                if text:
                    yield Example(text, label == "1", path.name)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LabelledDataError(f"{path.name} cannot be read: {error}") from error


def read_stack_exchange_posts(path: Path) -> Iterator[Example]:
    """Questions (title and body) and answers of a Stack Exchange dump, as legitimate text."""
    rows: list[dict] = []
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda name, attributes: (
        rows.append(attributes) if name == "row" else None
    )
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(64 * 1024):
                parser.Parse(chunk, False)
                yield from _posts(rows, path)
            parser.Parse(b"", True)
            yield from _posts(rows, path)
    except OSError as error:
        raise LabelledDataError(f"{path} cannot be read: {error}") from error
    except expat.ExpatError as error:
        raise LabelledDataError(
            f"{path} is not well-formed XML ({expat.ErrorString(error.code)}, line {error.lineno})."
        ) from error


def _posts(rows: list[dict], path: Path) -> Iterator[Example]:
    source = f"{path.parent.name}/{path.name}"
    for row in rows:
        if row.get("PostTypeId") in STACK_EXCHANGE_POSTS:
            text = "\n\n".join(
                part for part in (row.get("Title"), html_post_text(row.get("Body", ""))) if part
            )
            if text:
                yield Example(text, False, source)
    rows.clear()
