"""The Whoosh index on disk: schema, where the live index is, and reused searchers.

Layout of SEARCH_DIR: one folder per built index (`index-<stamp>`), and a `current` symlink to
the live one, so a rebuild can build beside it and swap atomically. Each index folder keeps
`last_change_id`: the id of the last search_change applied to it.
"""

import contextlib
import itertools
import os
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.idsets import BitSet

from portal.search import ranking

CURRENT = "current"
EXCERPT_CHARS = 800
MAX_CACHED_FILTERS = 64
MAX_CACHED_RESULTS = 256
SEARCHERS = 2  # per process: more searches at once would only take turns for two cores
LAST_CHANGE_FILE = "last_change_id"


def _column_only(field):
    """A field kept for sorting and display but not indexed: every posting of an unscored field
    costs Whoosh a file-exists check when the segment is written."""
    field.indexed = False
    return field


def make_schema() -> Schema:
    analyzer = StemmingAnalyzer()
    return Schema(
        key=ID(unique=True, stored=True),
        type=ID(stored=True),
        # Never searched on: stored only (a numeric field indexes four terms per value).
        doc_id=STORED(),
        parent_id=STORED(),
        title=TEXT(analyzer=analyzer, field_boost=3.0, stored=True),
        # The full text is indexed; only its start is stored, for snippets (storing questions with
        # all their answers made the index twice the size and highlighting slow).
        body=TEXT(analyzer=analyzer),
        excerpt=STORED(),
        # Unstemmed title words and tags: the dictionary "did you mean" suggests from. (Whoosh's
        # spelling=True builds a word graph at every commit, which made indexing 4x slower.)
        spell=TEXT(analyzer=StandardAnalyzer(), stored=False, phrase=False),
        tag=KEYWORD(commas=True, lowercase=True, scorable=True, stored=True),
        area=ID(stored=True),
        status=ID(stored=True),
        solved=BOOLEAN(stored=True),
        # Only sorted on: a column, no postings.
        created=_column_only(DATETIME(sortable=True, stored=True)),
        votes=_column_only(NUMERIC(int, 64, sortable=True, stored=True)),
        url=STORED(),
    )


def search_dir() -> Path:
    path = Path(current_app.config["SEARCH_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_index_dir() -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**9}"
    path = search_dir() / f"index-{stamp}"
    path.mkdir()
    whoosh_index.create_in(str(path), make_schema())
    write_last_change_id(path, 0)
    return path


def live_index_dir() -> Path:
    """The live index folder, created empty on first use. Two threads or processes may both
    find none: the first link made wins (a symlink is created atomically or not at all), and
    the other drops its folder and uses the winner's, so no document goes to a folder that
    is not live."""
    link = search_dir() / CURRENT
    if not link.exists():
        path = new_index_dir()
        try:
            link.symlink_to(path.name)
        except FileExistsError:
            shutil.rmtree(path, ignore_errors=True)
    return link.resolve()


def make_live(path: Path) -> None:
    """Point `current` at `path` atomically (a new symlink renamed over the old one)."""
    link = search_dir() / CURRENT
    temporary = search_dir() / f".current-{os.getpid()}-{threading.get_ident()}"
    if temporary.is_symlink():
        temporary.unlink()
    temporary.symlink_to(path.name)
    os.replace(temporary, link)


def remove_stale_indexes(keep: Path) -> None:
    for path in search_dir().glob("index-*"):
        if path.resolve() != keep.resolve():
            shutil.rmtree(path, ignore_errors=True)


def open_index(path: Path | None = None):
    return whoosh_index.open_dir(str(path or live_index_dir()))


def index_damage(path: Path | None = None) -> str | None:
    """What is wrong with the index's files, or None when they read: its table of contents,
    and in each segment every file a search reads (stored fields, field lengths, the terms
    and the first postings of every field). Whoosh raises assorted errors on a damaged or
    missing file (its IndexError, struct.error, FileNotFoundError, a bare Exception for a bad
    postings block), so any error while reading here is damage."""
    try:
        ix = open_index(path)
        try:
            with ix.searcher() as searcher:
                for reader, _offset in searcher.reader().leaf_readers():
                    _read_segment(reader)
        finally:
            ix.close()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


def _read_segment(reader) -> None:
    last = reader.doc_count_all() - 1
    if last < 0:
        return
    reader.stored_fields(0)
    reader.stored_fields(last)
    for name in reader.indexed_field_names():
        if reader.schema[name].scorable:
            reader.doc_field_length(last, name)
        for term in itertools.islice(reader.lexicon(name), 1):
            matcher = reader.postings(name, term)
            if matcher.is_active():  # else every document with it is deleted, and was read
                matcher.id()
                matcher.weight()


class IndexOutdated(RuntimeError):
    """The live index was built with another schema (an older portal): it needs a rebuild."""


def check_schema(ix) -> None:
    """Refuse to write documents of this schema into an index built with another one."""
    if set(ix.schema.names()) != set(make_schema().names()):
        raise IndexOutdated(
            "The search index was built by another version of the portal; "
            "run `flask search rebuild` to build it again (changes stay queued until then)."
        )


def read_last_change_id(path: Path) -> int:
    try:
        return int((path / LAST_CHANGE_FILE).read_text().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def write_last_change_id(path: Path, change_id: int) -> None:
    temporary = path / f".{LAST_CHANGE_FILE}.{os.getpid()}.{threading.get_ident()}"
    temporary.write_text(str(change_id))
    os.replace(temporary, path / LAST_CHANGE_FILE)


class SearcherCache:
    """Searchers lent to one search at a time, at most SEARCHERS per process, reused across
    requests and replaced when the index changes (a commit, or a rebuild that swapped
    `current`); what is derived from one version of the index (filters, search outcomes) is
    kept once for all of them.

    Whoosh's own `Searcher.refresh()` reuses segment readers and misses deletions made in an
    unchanged segment, so a stale searcher is replaced by a new one instead. A searcher reads
    its files through file objects that are not safe to share, hence one per search at a
    time; what it computes is plain data. Kept one per thread, a worker's four threads each
    held a searcher and its copy of the stored fields' offsets (2.6 MB at 400,000 posts), and
    four searches at once on two cores only took turns with four times the memory.
    """

    def __init__(self, size: int = SEARCHERS):
        self._slots = threading.BoundedSemaphore(size)
        self._local = threading.local()  # the searcher this thread has been lent, if any
        self._idle: list = []  # open searchers not lent out, the last given back last
        self._paths: dict = {}  # every open searcher: the index folder it reads
        self._lock = threading.Lock()
        # Per index version ((folder, generation), newest last): the stores below, for two
        # versions while searches move from one to the next.
        self._versions: OrderedDict[tuple, dict[str, dict]] = OrderedDict()

    @contextlib.contextmanager
    def lend(self) -> Iterator:
        """A searcher of the live index, this search's alone until the block ends (waiting
        for one while SEARCHERS are lent). Within the block, the thread is lent the same one
        again."""
        held = getattr(self._local, "searcher", None)
        if held is not None:
            yield held
            return
        with self._slots:
            searcher = self._take()
            self._local.searcher = searcher
            try:
                yield searcher
            finally:
                self._local.searcher = None
                with self._lock:
                    if searcher in self._paths:  # not closed meanwhile (close_all)
                        self._idle.append(searcher)

    def _take(self):
        path = live_index_dir()
        with self._lock:
            searcher = self._idle.pop() if self._idle else None
        if searcher is not None:
            if self._paths.get(searcher) == path and searcher.up_to_date():
                return searcher
            self._close(searcher)
        searcher = open_index(path).searcher()
        with self._lock:
            self._paths[searcher] = path
        return searcher

    def _close(self, searcher) -> None:
        with self._lock:
            self._paths.pop(searcher, None)
        searcher.close()

    def version(self, searcher) -> tuple | None:
        """The index version `searcher` reads (its folder and generation); None for a
        searcher this cache did not open."""
        with self._lock:
            path = self._paths.get(searcher)
        return None if path is None else (path, searcher.reader().generation())

    def _store(self, searcher, name: str) -> dict | None:
        """The store `name` ("filters", "masks", "results") of the index version `searcher`
        reads, shared by the threads; None for a searcher this cache did not open."""
        version = self.version(searcher)
        if version is None:
            return None
        with self._lock:
            stores = self._versions.get(version)
            if stores is None:
                stores = self._versions[version] = {"filters": {}, "masks": {}, "results": {}}
                while len(self._versions) > 2:
                    self._versions.popitem(last=False)
            return stores[name]

    def results(self, searcher) -> dict:
        """Search outcomes for `searcher`'s index version (never stale): the same searches come
        back often, and a common word costs far more to match than to look up. Callers key it
        and keep it under MAX_CACHED_RESULTS."""
        kept = self._store(searcher, "results")
        if kept is None:
            return {}
        if len(kept) >= MAX_CACHED_RESULTS:
            kept.clear()
        return kept

    def _kept_for_filter(self, store: str, searcher, restrict, make):
        """`make()` for a filter query, kept in `store` for `searcher`'s index version: the
        same few filters (type, area, status) come back on every search, and matching one
        afresh walks most of the index."""
        kept = self._store(searcher, store)
        if kept is None:
            return make()  # not this cache's searcher
        key = repr(restrict)
        found = kept.get(key)
        if found is None:
            if len(kept) >= MAX_CACHED_FILTERS:
                kept.clear()
            found = kept[key] = make()
        return found

    def filter_docs(self, searcher, restrict) -> BitSet:
        """The documents a filter query allows, as a bit set (Whoosh's `filter=`)."""
        return self._kept_for_filter(
            "filters",
            searcher,
            restrict,
            lambda: BitSet(searcher.docs_for_query(restrict), size=searcher.doc_count_all()),
        )

    def filter_mask(self, searcher, restrict):
        """The same documents as a numpy mask over document numbers (`ranking.rank`'s)."""
        return self._kept_for_filter(
            "masks",
            searcher,
            restrict,
            lambda: ranking.docs_mask(
                self.filter_docs(searcher, restrict), searcher.doc_count_all()
            ),
        )

    def forget_results(self) -> None:
        """Empty the result cache (benchmarks measure searches that miss it)."""
        with self._lock:
            for stores in self._versions.values():
                stores["results"].clear()

    def close(self) -> None:
        """Close the searchers not lent out (a test that wants the index read afresh)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for searcher in idle:
            self._close(searcher)

    def close_all(self) -> None:
        """Close every searcher (the app is done: nothing searches any more). Index segments
        are separate files, so an unclosed searcher holds open file handles."""
        with self._lock:
            searchers, self._paths, self._idle = list(self._paths), {}, []
            self._versions.clear()
        for searcher in searchers:
            if not searcher.is_closed:
                searcher.close()


def searchers() -> SearcherCache:
    """The app's searcher cache (one per app, so tests with their own index never share)."""
    return current_app.extensions.setdefault("portal_searchers", SearcherCache())
