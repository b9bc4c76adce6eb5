"""Parse and run searches: filters, sorting, highlights, "did you mean", similar items.

Queries use Whoosh syntax (phrases, AND/OR/NOT, field:term). Words are ANDed; when that finds
nothing, the same words are ORed. A query that does not parse falls back to plain words.
"""

import re
import unicodedata
from dataclasses import astuple, dataclass, field, replace

from markupsafe import escape
from whoosh import qparser, query
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.searching import Results

from portal.search import ranking
from portal.search.documents import SOURCES, TYPES, doc_key
from portal.search.embedding import model
from portal.search.index import EXCERPT_CHARS, searchers
from portal.search.repair import from_index
from portal.search.vectors import neighbours, vector_store

MAX_QUERY_CHARS = 500
PER_PAGE = 20
# What the search page lists (see documents.LISTED); similar items are questions and ideas.
SIMILAR_TYPES = ("question", "idea")
SORTS = {"relevance": None, "newest": "created", "votes": "votes"}
FIELD_ALIASES = {"tag": "tag", "tags": "tag", "title": "title", "body": "body", "area": "area"}
FALLBACK_LIMIT = 20
FALLBACK_WORDS = 5
REPAIR_NOTICE = (
    "Search is being repaired, so for now these are only the newest questions and ideas "
    "whose titles contain your words. Full results are back in a few minutes."
)


def normalise_query(raw: str | None) -> str:
    """Printable, single-spaced, at most MAX_QUERY_CHARS (what we search and what we log)."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())[:MAX_QUERY_CHARS]


@dataclass
class Filters:
    type: str | None = None  # question | idea
    area: str | None = None  # product area slug
    tag: str | None = None
    status: str | None = None  # an idea status, or "solved" / "unsolved" for questions


@dataclass
class Hit:
    type: str
    id: int
    title: str
    url: str
    snippet: str
    tags: list[str]
    area: str | None
    status: str | None
    solved: bool
    votes: int
    created: object


@dataclass
class SearchOutcome:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 0
    corrected: str | None = None  # "did you mean"
    # Nothing matched the query as typed, so these are the results for `corrected` instead.
    searched_instead: str | None = None
    browsing: bool = False  # no words, only filters: everything they match, newest first
    shortened: bool = False  # the words were cut to MAX_QUERY_CHARS
    notice: str | None = None  # e.g. the query did not parse and was read as plain words
    relaxed: bool = False  # nothing matched every word; showing matches of any word
    from_database: bool = False  # titles from the database: the index is being repaired


def _parser(schema, group=qparser.AndGroup) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(["title", "body", "tag"], schema, group=group)
    parser.remove_plugin_class(qparser.WildcardPlugin)  # "*" alone would scan every term
    parser.add_plugin(qparser.FieldAliasPlugin({v: [k] for k, v in FIELD_ALIASES.items()}))
    return parser


_SYNTAX = re.compile(r'["()]|\b(AND|OR|NOT)\b|\w+:')


def parse(text: str, schema, group=qparser.AndGroup) -> tuple[query.Query | None, str | None]:
    """A Whoosh query for `text`; (None, notice) when it cannot be made sense of."""
    parser = _parser(schema, group)
    try:
        parsed = parser.parse(text)
    except Exception:  # Whoosh raises assorted errors on odd syntax; fall back below
        parsed = None
    if parsed is None or parsed == query.NullQuery or _has_errors(parsed):
        words = " ".join(re.findall(r"\w+", text))
        if not words:
            return None, None
        plain = parser.parse(words)
        return plain, "We could not read that as search syntax, so we searched for the words."
    return parsed, None


def _has_errors(parsed: query.Query) -> bool:
    """Whoosh marks the parts it could not parse with an `error` attribute."""
    return any(getattr(node, "error", None) for node in (parsed, *parsed.leaves()))


def _filter_query(filters: Filters, types=TYPES) -> query.Query:
    terms: list[query.Query] = [query.Or([query.Term("type", t) for t in types])]
    if filters.type in TYPES:
        terms = [query.Term("type", filters.type)]
    if filters.area:
        terms.append(query.Term("area", filters.area))
    if filters.tag:
        terms.append(query.Term("tag", filters.tag.lower()))
    if filters.status == "solved":
        terms.append(query.Term("solved", True))
    elif filters.status == "unsolved":
        terms.append(query.And([query.Term("type", "question"), query.Term("solved", False)]))
    elif filters.status:
        terms.append(query.Term("status", filters.status))
    return query.And(terms)


def whole_words(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a space, with "…" when it was cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    inside_a_word = not cut[-1].isspace() and not text[limit - 1].isspace()
    if inside_a_word and len(words := cut.rsplit(maxsplit=1)) > 1:
        cut = words[0]  # the cut fell inside a word: leave that word out
    return cut.rstrip().rstrip(",;:.") + "…"


def _hit(result, text_query) -> Hit:
    fields = result.fields()
    excerpt = fields.get("excerpt") or ""
    if len(excerpt) >= EXCERPT_CHARS:  # the index keeps the body's start, cut anywhere
        excerpt = excerpt.rsplit(maxsplit=1)[0]
    snippet = result.highlights("body", text=excerpt, top=2) or result.highlights("title") or ""
    if not snippet:
        snippet = str(escape(whole_words(excerpt, 240)))
    return _hit_of(fields["type"], fields["doc_id"], fields, snippet)


def _hit_of(doc_type: str, doc_id: int, fields: dict, snippet: str) -> Hit:
    """A hit from a document's fields, as the index stores them or a source loads them."""
    return Hit(
        type=doc_type,
        id=doc_id,
        title=fields.get("title") or "",
        url=fields.get("url") or "",
        snippet=snippet,
        tags=[t for t in (fields.get("tag") or "").split(",") if t],
        area=fields.get("area"),
        status=fields.get("status"),
        solved=bool(fields.get("solved")),
        votes=fields.get("votes") or 0,
        created=fields.get("created"),
    )


def search(
    raw: str, filters: Filters, sort: str = "relevance", page: int = 1, *, exact: bool = False
) -> SearchOutcome:
    """One page of results. Without words but with filters, everything the filters match,
    newest first. A page past the last is the last. When nothing matches the words as typed
    and a spelling fix exists, the fix is searched instead (unless `exact`), as Google does."""
    outcome = _search_page(raw, filters, sort, page)
    if 0 < outcome.pages < outcome.page:
        outcome = _search_page(raw, filters, sort, outcome.pages)
    if outcome.total == 0 and outcome.corrected and not exact:
        instead = _search_page(outcome.corrected, filters, sort, 1)
        if instead.total:
            instead.searched_instead, instead.corrected = outcome.query, None
            return instead
    return outcome


def _has_filters(filters: Filters) -> bool:
    return any(astuple(filters))


def _search_page(raw: str, filters: Filters, sort: str, page: int) -> SearchOutcome:
    text = normalise_query(raw)
    outcome = SearchOutcome(query=text, page=max(page, 1))
    outcome.shortened = len(" ".join((raw or "").split())) > MAX_QUERY_CHARS
    if not text and not _has_filters(filters):
        return outcome
    if not text:
        outcome.browsing = True
        sort = "newest" if sort == "relevance" else sort

    def from_the_index() -> SearchOutcome:
        with searchers().lend() as searcher:
            cache = searchers().results(searcher)
            key = (text, astuple(filters), sort, outcome.page)
            if key not in cache:
                cache[key] = _search(searcher, replace(outcome), filters, sort)
            return replace(cache[key])

    return from_index(from_the_index, lambda: _titles_from_database(outcome, filters))


def _titles_from_database(outcome: SearchOutcome, filters: Filters) -> SearchOutcome:
    """The newest questions and ideas whose titles hold every word, on one page: a cheap
    answer while the index is rebuilt (see `repair`)."""
    outcome.notice, outcome.from_database = REPAIR_NOTICE, True
    words = re.findall(r"\w+", outcome.query)[:FALLBACK_WORDS]
    if outcome.page > 1 or not words:
        return outcome
    hits = []
    for doc_type in (filters.type,) if filters.type in TYPES else TYPES:
        source = SOURCES.get(doc_type)
        if source is None or source.titles_like is None:
            continue
        found = source.load(source.titles_like(words, FALLBACK_LIMIT))
        hits += [
            _hit_of_document(doc_type, doc_id, document)
            for doc_id, document in found.items()
            if document is not None and _passes(doc_type, document, filters)
        ]
    hits.sort(key=lambda hit: hit.created, reverse=True)
    outcome.hits = hits[:FALLBACK_LIMIT]
    outcome.total = len(outcome.hits)
    outcome.pages = 1 if outcome.hits else 0
    return outcome


def _passes(doc_type: str, document: dict, filters: Filters) -> bool:
    """The search filters (`_filter_query`) applied to a document from its source."""
    tags = (document.get("tag") or "").split(",")
    if filters.area and document.get("area") != filters.area:
        return False
    if filters.tag and filters.tag.lower() not in tags:
        return False
    if filters.status == "solved":
        return bool(document.get("solved"))
    if filters.status == "unsolved":
        return doc_type == "question" and not document.get("solved")
    return not filters.status or document.get("status") == filters.status


def _hit_of_document(doc_type: str, doc_id: int, document: dict) -> Hit:
    snippet = str(escape(whole_words(document.get("body") or "", 240)))
    return _hit_of(doc_type, doc_id, document, snippet)


def _search(searcher, outcome: SearchOutcome, filters: Filters, sort: str) -> SearchOutcome:
    text = outcome.query
    if outcome.browsing:
        parsed = query.Every()
    else:
        parsed, outcome.notice = parse(text, searcher.schema)
    if parsed is None:
        outcome.notice = "Type a few words to search for."
        return outcome
    restrict = _filter_query(filters)
    sortedby = SORTS.get(sort)
    results = _page(searcher, parsed, restrict, sortedby, outcome.page)
    if len(results) == 0 and outcome.notice is None and not outcome.browsing:
        relaxed, _ = parse(text, searcher.schema, group=qparser.OrGroup)
        if relaxed is not None:
            results = _page(searcher, relaxed, restrict, sortedby, outcome.page)
            outcome.relaxed = len(results) > 0
    results.fragmenter = ContextFragmenter(maxchars=240, surround=60)
    results.formatter = HtmlFormatter(tagname="mark", between=" … ")
    outcome.hits = [_hit(result, parsed) for result in results]
    outcome.total = len(results)
    outcome.pages = (outcome.total + PER_PAGE - 1) // PER_PAGE
    if outcome.total < PER_PAGE and not outcome.browsing:
        outcome.corrected = _did_you_mean(searcher, text)
    return outcome


class _Page(Results):
    """One page of hits and the exact total (Whoosh's Results, so highlighting works as usual)."""

    def __init__(self, searcher, q, top_n, total: int):
        super().__init__(searcher, q, top_n)
        self.total = total

    def __len__(self) -> int:
        return self.total


def _page(searcher, q, restrict, sortedby: str | None, page: int, pagelen=PER_PAGE) -> _Page:
    """The hits of `page` and the exact number of matches, ranked by `ranking.rank` (whole
    postings lists at once) or, for what it does not handle (phrases, ...), by Whoosh."""
    mask = searchers().filter_mask(searcher, restrict)
    ranked = ranking.rank(searcher, q, allow=mask, sortedby=sortedby, page=page, pagelen=pagelen)
    if ranked is not None:
        return _Page(searcher, q, ranked.top, ranked.total)
    # Whoosh's top-N count drops documents once the page is full, so ask it for every match.
    allowed = searchers().filter_docs(searcher, restrict)
    options = {"sortedby": sortedby, "reverse": True} if sortedby else {}
    everything = searcher.search(q, limit=None, filter=allowed, optimize=False, **options)
    start = (page - 1) * pagelen
    return _Page(searcher, q, everything.top_n[start : start + pagelen], len(everything))


_WORD = re.compile(r"\w+", re.UNICODE)


def _did_you_mean(searcher, text: str) -> str | None:
    """Replace each word the index has never seen (as a title, body or tag word) with the most
    common title or tag word within two edits of it that starts with the same letter (as
    Lucene's spell checker does by default: few misspellings change the first letter, and
    walking only that letter's words is 20 times faster); None when nothing needs a fix."""
    reader = searcher.reader()
    stem = searcher.schema["body"].analyzer
    changed = False

    def fix(match: re.Match) -> str:
        nonlocal changed
        word = match.group(0)
        lowered = word.lower()
        stems = [token.text for token in stem(lowered)]
        known = ("spell", lowered) in reader or any(
            (field, s) in reader for s in stems for field in ("body", "title")
        )
        if len(lowered) < 3 or lowered.isdigit() or known or not stems:
            return word
        candidates = [
            term
            for term in reader.terms_within("spell", lowered, 2, prefix=1)
            if isinstance(term, str) and term != lowered
        ]
        if not candidates:
            return word
        best = max(candidates, key=lambda term: (reader.doc_frequency("spell", term), term))
        changed = True
        return best

    corrected = _WORD.sub(fix, text)
    return corrected if changed else None


# (field, boost, share): a word in more than that share of the field's documents, and in more
# than COMMON_MIN of them, is left out of that field's word match, as Lucene's MoreLikeThis
# leaves out common terms: "how" and "do" were in 117,000 and 140,000 of 421,000 texts, reading
# their postings took 40 ms a request, and their low idf barely moves the ranking. Texts are
# long, so their share is lower: an error code or a product name is rare in them and stays;
# the sentence embedding already reads the start of every text. A small community keeps every
# word (on bicycles.meta, 453 questions, 5% alone cost one of 9 duplicates its place). The
# rarest word is always kept.
SIMILAR_FIELDS = (("title", 2.0, 0.05), ("body", 1.0, 0.01))
SIMILAR_CANDIDATES = 20  # from each of the word match and the semantic score
COMMON_MIN = 2000
# What a perfect word match adds to a candidate's cosine similarity: enough to lift an exact
# error code or product name over a loose paraphrase, not enough to bury a rephrased twin.
WORDS_WEIGHT = 0.2
METHODS = ("words", "semantic", "combined")


def similar(
    raw: str,
    doc_type: str = "any",
    limit: int = 5,
    *,
    exclude: tuple[tuple[str, int], ...] = (),
    method: str = "combined",
) -> list[Hit]:
    """The best matches for a title being typed (or a post's own title and text, for the
    related questions and duplicates of a post: `exclude` leaves the post itself out).

    Two scores, added (see `_fused`):
    - the words: typed words analysed like the index (stemmed, stop words out), any of them
      matching in the title (weighted most), the text or the tags; whole words win on error
      codes and product names. Typed words are never read as query syntax.
    - the meaning: the text's sentence embedding against each question's and idea's, where the
      model can run (portal/search/embedding.py), so a rephrased question finds its original.
      Only neighbours at least SEMANTIC_FLOOR alike count: there is always a nearest one.
    Every hit is read from the index, which holds only what everyone may see.
    `method` picks one ranking alone (bench/search_quality.py compares them).
    """
    text = normalise_query(raw)
    words = re.findall(r"\w+", text)[:30]
    if not words:
        return []
    types = SIMILAR_TYPES if doc_type not in SIMILAR_TYPES else (doc_type,)

    def from_the_index() -> list[Hit]:
        with searchers().lend() as searcher:
            by_words = [] if method == "semantic" else _by_words(searcher, words, types, exclude)
            meaning = (
                {}
                if method == "words"
                else neighbours(
                    text, types, exclude, by_words, index_version=searchers().version(searcher)
                )
            )
            return _fused(searcher, by_words, meaning, limit)

    # While a damaged index is rebuilt, suggestions wait: a title match on any typed word
    # would cost a scan of every title for each key typed.
    return from_index(from_the_index, list)


def _by_words(searcher, words: list[str], types, exclude) -> list:
    """The word match's best candidates: (Whoosh result, the query, for highlights) each."""
    analyzer = searcher.schema["title"].analyzer
    stems = {token.text for token in analyzer(" ".join(words))}
    tags = {word.lower() for word in words if len(word) > 2}
    documents = searcher.doc_count()
    subqueries: list[query.Query] = []
    for name, boost, share in SIMILAR_FIELDS:
        common = max(share * documents, COMMON_MIN)
        frequency = {stem: searcher.doc_frequency(name, stem) for stem in stems}
        rarest = min(frequency, key=frequency.get, default=None)
        subqueries += [
            query.Term(name, stem, boost=boost)
            for stem, count in frequency.items()
            if 0 < count <= common or stem == rarest
        ]
    subqueries += [query.Term("tag", tag) for tag in tags]
    if not subqueries:
        return []
    wanted = query.Or(subqueries, scale=0.9)
    pagelen = SIMILAR_CANDIDATES + len(exclude)
    results = _page(searcher, wanted, _filter_query(Filters(), types), None, 1, pagelen=pagelen)
    left_out = {doc_key(*key) for key in exclude}
    return [(result, wanted) for result in results if result["key"] not in left_out]


def _fused(searcher, by_words: list, meaning: dict, limit: int) -> list[Hit]:
    """Candidates of both rankings by their cosine similarity plus WORDS_WEIGHT times their
    word score relative to the best word match; the word order alone without the model."""
    best = max((result.score for result, _ in by_words), default=0.0) or 1.0
    scores: dict[str, float] = {}
    for position, (result, _) in enumerate(by_words):
        words_part = WORDS_WEIGHT * result.score / best if meaning else -position
        scores[result["key"]] = words_part
    for key, cosine in meaning.items():
        name = doc_key(*key)
        scores[name] = scores.get(name, 0.0) + cosine
    # No highlights: no page shows a similar item's snippet, and they took 1 ms a hit.
    matched = {result["key"]: result for result, _ in by_words}
    hits = []
    for name in sorted(scores, key=lambda name: -scores[name]):
        if name in matched:
            hits.append(_plain_hit(matched[name].fields()))
        elif (fields := searcher.document(key=name)) is not None:  # gone or hidden: not there
            hits.append(_plain_hit(fields))
        if len(hits) == limit:
            break
    return hits


# Cosine similarity from which two posts are likely the same question (or idea). On
# bicycles.meta, 6 of its 9 duplicate pairs reach it, and 13% of its questions have a
# neighbour this alike: few enough for moderators to look at each.
DUPLICATE_FLOOR = 0.7
RECENT_FOR_DUPLICATES = 200
CLOSED_STATUSES = {"duplicate", "closed"}


@dataclass
class DuplicatePair:
    post: Hit  # the newer one
    original: Hit
    similarity: float


def possible_duplicates(doc_type: str) -> list[DuplicatePair]:
    """The newest questions (or ideas) whose nearest other one is alike enough to be the same,
    most alike first, for moderators to close or merge. Each pair once, the newer first; only
    what the index holds (live, public posts), and never a post already closed."""
    if not model():
        return []

    def from_the_index() -> list[DuplicatePair]:
        with searchers().lend() as searcher:
            newest = searcher.search(
                query.Term("type", doc_type),
                sortedby="created",
                reverse=True,
                limit=RECENT_FOR_DUPLICATES,
            )
            fields = {hit["doc_id"]: hit.fields() for hit in newest}
            keys = [(doc_type, doc_id) for doc_id in fields]
            nearest = vector_store().nearest_each(keys, (doc_type,))
            pairs, seen = [], set()
            for (_, doc_id), ((_, other_id), score) in nearest.items():
                if score < DUPLICATE_FLOOR or fields[doc_id].get("status") in CLOSED_STATUSES:
                    continue
                other = fields.get(other_id) or searcher.document(key=doc_key(doc_type, other_id))
                if other is None or other.get("status") in CLOSED_STATUSES:
                    continue
                if frozenset((doc_id, other_id)) in seen:
                    continue
                seen.add(frozenset((doc_id, other_id)))
                post, original = fields[doc_id], other
                if (original["created"], other_id) > (post["created"], doc_id):
                    post, original = original, post
                pairs.append(DuplicatePair(_plain_hit(post), _plain_hit(original), score))
            return sorted(pairs, key=lambda pair: -pair.similarity)

    return from_index(from_the_index, list)


def _plain_hit(fields: dict) -> Hit:
    excerpt = fields.get("excerpt") or ""
    return _hit_of(fields["type"], fields["doc_id"], fields, str(escape(whole_words(excerpt, 240))))
