"""Believable generated text for large demo databases and benchmarks.

A word-bigram model is trained on real writing (the demo's own questions and ideas, and any Stack
Exchange dumps given), so generated posts have the vocabulary, word frequencies and lengths of the
community they imitate. Bodies are composed from a pool of generated sentences: making each word
afresh would cost more than inserting the rows.
"""

import bisect
import random
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from markupsafe import escape

from portal.markdown import html_to_text

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’+#-]*|\d+(?:\.\d+)*")
_TAG_MARKUP = re.compile(r"<([^<>]+)>|\|([^|]+)")
START, END = "\x02", "\x03"


@dataclass(frozen=True)
class Sample:
    """One real post to learn from: a title (may be empty), plain text and tags."""

    title: str
    text: str
    tags: tuple[str, ...] = ()


class _Chain:
    """Word bigrams with their counts; `walk` draws a sentence."""

    def __init__(self):
        self._next: dict[str, Counter] = defaultdict(Counter)
        self._tables: dict[str, tuple[list[str], list[int]]] = {}

    def learn(self, sentence: str) -> None:
        words = _WORD.findall(sentence)
        if len(words) < 3:
            return
        for current, following in zip([START, *words], [*words, END], strict=True):
            self._next[current][following] += 1

    def __bool__(self) -> bool:
        return bool(self._next)

    def walk(self, rng: random.Random, min_words: int, max_words: int) -> str | None:
        words: list[str] = []
        current = START
        while len(words) < max_words:
            current = self._draw(rng, current)
            if current == END:
                break
            words.append(current)
        return " ".join(words) if len(words) >= min_words else None

    def _draw(self, rng: random.Random, word: str) -> str:
        table = self._tables.get(word)
        if table is None:
            counts = self._next[word]
            table = (list(counts), list(accumulate(counts.values())))
            self._tables[word] = table
        words, cumulative = table
        return words[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


class TextModel:
    """Titles, paragraphs and tags in the style of the samples it was trained on."""

    def __init__(self, samples: Iterable[Sample], seed: int = 7, pool: int = 20_000):
        self._titles, body = _Chain(), _Chain()
        tags: Counter = Counter()
        for sample in samples:
            if sample.title:
                self._titles.learn(sample.title)
            for sentence in _SENTENCE_END.split(sample.text):
                body.learn(sentence)
            tags.update(sample.tags)
        if not body:
            raise ValueError("The text model needs some text to learn from.")
        if not self._titles:
            self._titles = body
        rng = random.Random(seed)
        self._sentences = _pool(rng, body, pool)
        self._tags = [tag for tag, _ in tags.most_common(400)] or ["general"]
        # Zipf-like: a few tags are on most posts, as in real communities.
        self._tag_weights = list(accumulate(1 / (rank + 1) for rank in range(len(self._tags))))

    @property
    def tags(self) -> list[str]:
        return list(self._tags)

    def title(self, rng: random.Random) -> str:
        for _ in range(20):
            words = self._titles.walk(rng, 4, 14)
            if words:
                title = words[0].upper() + words[1:]
                return title if title.endswith(("?", ".")) or rng.random() < 0.5 else title + "?"
        return rng.choice(self._sentences)[:120]

    def paragraphs(self, rng: random.Random, sentences: int) -> list[str]:
        """`sentences` sentences in paragraphs of two to four."""
        chosen = rng.choices(self._sentences, k=max(sentences, 1))
        paragraphs, start = [], 0
        while start < len(chosen):
            size = rng.randint(2, 4)
            paragraphs.append(" ".join(chosen[start : start + size]))
            start += size
        return paragraphs

    def body(self, rng: random.Random, sentences: int) -> tuple[str, str]:
        """Markdown source and its HTML (plain paragraphs, escaped: nothing to sanitise)."""
        paragraphs = self.paragraphs(rng, sentences)
        html = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
        return "\n\n".join(paragraphs), html

    def pick_tags(self, rng: random.Random, low: int = 1, high: int = 3) -> list[str]:
        count = min(rng.randint(low, high), len(self._tags))
        picked: list[str] = []
        while len(picked) < count:
            tag = rng.choices(self._tags, cum_weights=self._tag_weights)[0]
            if tag not in picked:
                picked.append(tag)
        return picked


def _pool(rng: random.Random, chain: _Chain, size: int) -> list[str]:
    sentences: list[str] = []
    attempts = 0
    while len(sentences) < size and attempts < size * 10:
        attempts += 1
        words = chain.walk(rng, 4, 32)
        if words:
            sentences.append(words[0].upper() + words[1:] + ".")
    return sentences


def demo_samples() -> Iterator[Sample]:
    """The demo community's own questions, answers and ideas (always available)."""
    from portal.demo.ideas import IDEAS
    from portal.demo.support_content import QUESTIONS

    for question in QUESTIONS:
        yield Sample(question["title"], _strip_markdown(question["body"]), tuple(question["tags"]))
        for _author, answer, *_ in question["answers"]:
            yield Sample("", _strip_markdown(answer))
    for _key, _area, _author, _days, title, description, _votes in IDEAS:
        yield Sample(title, _strip_markdown(description))


def stackexchange_samples(folder: Path, limit: int | None = None) -> Iterator[Sample]:
    """Questions (with title and tags) and answers from a dump's Posts.xml, streamed."""
    count = 0
    for _event, row in ET.iterparse(folder / "Posts.xml"):
        if row.tag != "row" or row.get("PostTypeId") not in ("1", "2"):
            row.clear()
            continue
        tags = tuple(t or u for t, u in _TAG_MARKUP.findall(row.get("Tags") or "") if t or u)
        yield Sample(row.get("Title") or "", html_to_text(row.get("Body") or ""), tags)
        row.clear()
        count += 1
        if limit is not None and count >= limit:
            return


def model_from(corpus: Iterable[Path] = (), seed: int = 7) -> TextModel:
    """A model of the demo text plus every Stack Exchange dump folder in `corpus`."""

    def samples() -> Iterator[Sample]:
        yield from demo_samples()
        for folder in corpus:
            yield from stackexchange_samples(Path(folder))

    return TextModel(samples(), seed=seed)


def _strip_markdown(text: str) -> str:
    return re.sub(r"[*_`#>\[\]()]|^\s*[-\d.]+\s", " ", text, flags=re.MULTILINE)
