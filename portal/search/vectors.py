"""Document vectors for similar items: stored beside the index, held by each process.

The indexer embeds each question and idea it writes (its title and the start of its text) and
stores the vector in `search_vectors` in the same batch, committed before the index and the
batch's last change id: a crash applies the batch again, so no vector is lost, and a rebuild
writes every vector afresh; a text already embedded is not embedded again. Each process keeps
all vectors in memory (int8, 384 bytes each), reads the rows written since when the index a
search reads is new (or before each lookup without one), and finds the nearest by exact
search: SimSIMD's int8 product over every vector.
"""

import hashlib
import os
import threading
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import delete, insert, select

from portal.database import take_turns
from portal.extensions import db
from portal.search.embedding import DIMENSIONS, model
from portal.search.models import SearchVector

SEMANTIC_TYPES = ("question", "idea")
TEXT_CHARS = 400  # of the body after the title; the model reads MAX_TOKENS tokens at most
EMBED_BATCH = 32
READ_BATCH = 5000
# Cosine similarity below which a neighbour is not similar: unrelated posts score about 0 to
# 0.25 with this model, a question asked in other words 0.5 and more.
SEMANTIC_FLOOR = 0.35

Key = tuple[str, int]


def embedding_text(document: dict) -> str:
    """The title and the start of the post's own text (a question's, not its answers')."""
    text = document.get("excerpt") or document.get("body") or ""
    return f"{document.get('title') or ''}. {text[:TEXT_CHARS]}"


def embed_texts(texts: list[str], *, bulk: bool = False):
    """Unit vectors for `texts`, embedded in batches of similar length (less padding)."""
    import numpy as np

    found = model(bulk=bulk)
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), EMBED_BATCH):
        chosen = order[start : start + EMBED_BATCH]
        vectors[chosen] = found.embed([texts[i] for i in chosen])
    return vectors


def quantize(vectors):
    """int8 rows scaled to their largest component, and each row's scale (cosine ignores a
    row's scale, so each row keeps all 8 bits)."""
    import numpy as np

    peaks = np.maximum(np.abs(vectors).max(axis=1), 1e-12)
    rows = np.round(vectors * (127.0 / peaks)[:, None]).astype(np.int8)
    return rows, (peaks / 127.0).astype(np.float32)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _unchanged(keys: list[Key], digests: dict[Key, str | None]) -> set[Key]:
    """The documents whose stored row already says what `digests` says: the same text's
    vector (its digest), or gone (None)."""
    same: set[Key] = set()
    for doc_type in {key[0] for key in keys}:
        ids = [doc_id for kind, doc_id in keys if kind == doc_type]
        # A row without a digest (written before digests were kept) matches nothing.
        stored = {
            doc_id: (digest or "") if vector else None
            for doc_id, digest, vector in db.session.execute(
                select(
                    SearchVector.doc_id, SearchVector.text_hash, SearchVector.vector.is_not(None)
                ).where(SearchVector.doc_type == doc_type, SearchVector.doc_id.in_(ids))
            )
        }
        same |= {
            (doc_type, doc_id)
            for doc_id in ids
            if stored.get(doc_id) == digests[(doc_type, doc_id)]
        }
    return same


def store_vectors(documents: dict[Key, dict | None], *, bulk: bool = False) -> int:
    """Embed and store the vectors of these documents (None: the document is gone), in the
    session's transaction; how many rows were written. Nothing when the model cannot run.

    A document whose text (title and start) is the one already embedded is left as it is: an
    answer changes its question's document, not what the model reads, and writing its vector
    again cost a write lock on SQLite per answer posted. `bulk` (a rebuild) writes every one."""
    keys = [key for key in documents if key[0] in SEMANTIC_TYPES]
    if not keys or model(bulk=bulk) is None:
        return 0
    texts = {key: embedding_text(documents[key]) for key in keys if documents[key] is not None}
    digests = {key: _digest(texts[key]) if key in texts else None for key in keys}
    if not bulk:
        unchanged = _unchanged(keys, digests)
        keys = [key for key in keys if key not in unchanged]
        if not keys:
            return 0
    live = [key for key in keys if key in texts]
    rows, scales = quantize(embed_texts([texts[key] for key in live], bulk=bulk))
    values = dict.fromkeys(keys, (None, 0.0))
    values.update({key: (rows[i].tobytes(), float(scales[i])) for i, key in enumerate(live)})
    take_turns("search_vectors")  # ids follow commit order: readers only look above theirs
    for doc_type in {key[0] for key in keys}:
        ids = [doc_id for kind, doc_id in keys if kind == doc_type]
        db.session.execute(
            delete(SearchVector).where(
                SearchVector.doc_type == doc_type, SearchVector.doc_id.in_(ids)
            )
        )
    db.session.execute(
        insert(SearchVector),
        [
            {
                "doc_type": kind,
                "doc_id": doc_id,
                "vector": vector,
                "scale": scale,
                "text_hash": digests[(kind, doc_id)],
            }
            for (kind, doc_id), (vector, scale) in values.items()
        ],
    )
    return len(keys)


def remove_vectors_except(kept: Iterable[Key]) -> None:
    """After a rebuild: drop the vectors of documents the rebuild did not write."""
    kept = set(kept)
    for doc_type in SEMANTIC_TYPES:
        stale = [
            doc_id
            for (doc_id,) in db.session.execute(
                select(SearchVector.doc_id).where(SearchVector.doc_type == doc_type)
            )
            if (doc_type, doc_id) not in kept
        ]
        for start in range(0, len(stale), READ_BATCH):
            chunk = stale[start : start + READ_BATCH]
            db.session.execute(
                delete(SearchVector).where(
                    SearchVector.doc_type == doc_type, SearchVector.doc_id.in_(chunk)
                )
            )


def vector_count() -> int:
    return db.session.scalar(
        select(db.func.count(SearchVector.id)).where(SearchVector.vector.is_not(None))
    )


class VectorStore:
    """One process's copy of every vector, refreshed from the table before each lookup."""

    def __init__(self) -> None:
        import numpy as np

        self._lock = threading.Lock()
        self.index_version: tuple | None = None  # the last index version refreshed for
        self.last_id = 0
        self.count = 0
        self.slots: dict[Key, int] = {}
        self.keys: list[Key] = []
        self.rows = np.zeros((0, DIMENSIONS), dtype=np.int8)
        self.scales = np.zeros(0, dtype=np.float32)
        self.types = np.zeros(0, dtype=np.int8)  # index in SEMANTIC_TYPES, -1: gone

    def refresh(self) -> None:
        if self.last_id == 0:  # the first read takes every row: make room for them at once
            rows = db.session.scalar(select(db.func.count(SearchVector.id)))
            with self._lock:
                self._reserve(rows)
        while True:
            found = db.session.execute(
                select(
                    SearchVector.id,
                    SearchVector.doc_type,
                    SearchVector.doc_id,
                    SearchVector.vector,
                    SearchVector.scale,
                )
                .where(SearchVector.id > self.last_id)
                .order_by(SearchVector.id)
                .limit(READ_BATCH)
            ).all()
            if found:
                with self._lock:
                    self._take(found)
            if len(found) < READ_BATCH:
                return

    def _reserve(self, size: int) -> None:
        import numpy as np

        size = max(size, 1024)
        if size > len(self.rows):
            self.rows = np.resize(self.rows, (size, DIMENSIONS))
            self.scales = np.resize(self.scales, size)
            self.types = np.resize(self.types, size)

    def _take(self, found) -> None:
        import numpy as np

        for row_id, doc_type, doc_id, vector, scale in found:
            if row_id <= self.last_id:  # another thread took it first
                continue
            key = (doc_type, doc_id)
            slot = self.slots.get(key)
            if slot is None:
                if vector is None or doc_type not in SEMANTIC_TYPES:
                    self.last_id = row_id
                    continue
                slot = self.slots[key] = self.count
                self.keys.append(key)
                self.count += 1
                if self.count > len(self.rows):  # grow by half, as lists do
                    self._reserve(self.count * 3 // 2)
            if vector is None:
                self.types[slot] = -1
                self.scales[slot] = 0.0
            else:
                self.rows[slot] = np.frombuffer(vector, dtype=np.int8)
                self.scales[slot] = scale
                self.types[slot] = SEMANTIC_TYPES.index(doc_type)
            self.last_id = row_id

    def similarity(self, vector, keys: list[Key]) -> dict[Key, float]:
        """Cosine similarity of `vector` to each of these documents that has a vector."""
        import numpy as np

        with self._lock:
            slots = [(key, self.slots[key]) for key in keys if key in self.slots]
            slots = [(key, slot) for key, slot in slots if self.types[slot] >= 0]
            if not slots:
                return {}
            chosen = [slot for _, slot in slots]
            rows = self.rows[chosen].astype(np.float32) * self.scales[chosen, None]
        return {key: float(score) for (key, _), score in zip(slots, rows @ vector, strict=True)}

    def nearest_each(
        self, keys: list[Key], doc_types: tuple[str, ...]
    ) -> dict[Key, tuple[Key, float]]:
        """For each of these documents that has a vector, its nearest other document of these
        types, with their cosine similarity (one matrix product for all of them)."""
        import numpy as np

        with self._lock:
            count = self.count
            mine = [(key, self.slots[key]) for key in keys if key in self.slots]
            mine = [(key, slot) for key, slot in mine if self.types[slot] >= 0]
            if not mine or count < 2:
                return {}
            slots = np.array([slot for _, slot in mine])
            products = _products(self.rows[slots], self.rows[:count], threads=os.cpu_count()).T
            scores = products * self.scales[:count, None] * self.scales[slots][None, :]
            wanted = _of_types(self.types[:count], doc_types)
            scores[~wanted, :] = -2.0
            scores[slots, np.arange(len(slots))] = -2.0  # not itself
            best = scores.argmax(axis=0)
            return {
                key: (self.keys[best[n]], float(scores[best[n], n]))
                for n, (key, _) in enumerate(mine)
                if scores[best[n], n] > -2.0
            }

    def nearest(
        self,
        vector,
        doc_types: tuple[str, ...],
        limit: int,
        exclude: Iterable[Key] = (),
        floor: float = -1.0,
    ) -> list[tuple[Key, float]]:
        """The `limit` nearest documents of these types at least `floor` alike, with their
        cosine similarity."""
        query, query_scale = quantize(vector[None, :])
        return self._nearest(query[0], float(query_scale[0]), doc_types, limit, exclude, floor)

    def nearest_to(
        self, key: Key, doc_types: tuple[str, ...], limit: int, floor: float = -1.0
    ) -> list[tuple[Key, float]]:
        """The `limit` documents nearest to a stored one (itself left out), by its stored
        vector: no embedding. Empty when it has no vector."""
        with self._lock:
            slot = self.slots.get(key)
            if slot is None or self.types[slot] < 0:
                return []
            query, scale = self.rows[slot].copy(), float(self.scales[slot])
        return self._nearest(query, scale, doc_types, limit, (key,), floor)

    def _nearest(self, query, query_scale: float, doc_types, limit: int, exclude, floor):
        import numpy as np

        # The scan runs outside the lock, on the arrays as they are now: rows only ever grow
        # into new arrays, and a row replaced meanwhile costs one score, not a wrong key.
        with self._lock:
            count, rows, scales, types = self.count, self.rows, self.scales, self.types
            excluded = [self.slots.get(key) for key in exclude]
        if count == 0:
            return []
        scores = _products(query.reshape(1, DIMENSIONS), rows[:count])[0]
        scores *= scales[:count] * query_scale
        scores[~_of_types(types[:count], doc_types)] = -2.0
        for slot in excluded:
            if slot is not None and slot < count:
                scores[slot] = -2.0
        # Those past the floor first (a few hundred of 120,000): partitioning every score
        # took 1.3 ms.
        found = np.flatnonzero(scores >= max(floor, -1.0))
        if len(found) > limit:
            found = found[np.argpartition(-scores[found], limit - 1)[:limit]]
        top = found[np.argsort(-scores[found])]
        return [(self.keys[i], float(scores[i])) for i in top]


def neighbours(
    text: str,
    doc_types: tuple[str, ...],
    exclude: Iterable[Key] = (),
    by_words=(),
    limit=20,
    index_version: tuple | None = None,
) -> dict[Key, float]:
    """Cosine similarity to `text` of its `limit` nearest documents (at least SEMANTIC_FLOOR
    alike) and of the word match's candidates (Whoosh results, whatever their similarity);
    empty where the model cannot run."""
    found = model()
    if found is None:
        return {}
    vector = found.embed([text])[0]
    store = vector_store(index_version)
    nearest = store.nearest(vector, doc_types, limit, exclude, floor=SEMANTIC_FLOOR)
    similarity = dict(nearest)
    candidates = [(result["type"], result["doc_id"]) for result, _ in by_words]
    return store.similarity(vector, candidates) | similarity


def most_alike(key: Key, doc_types: tuple[str, ...], limit: int) -> list[Key]:
    """The documents most like a stored one, most alike first (at least SEMANTIC_FLOOR alike),
    by its stored vector: no model run. Empty when it has none."""
    return [other for other, _ in vector_store().nearest_to(key, doc_types, limit, SEMANTIC_FLOOR)]


def vector_store(index_version: tuple | None = None) -> VectorStore:
    """The process's vectors, with the rows written since the last look. Given the version of
    the index a search reads, only when that version is new: the indexer commits a batch's
    vectors before its documents, and every hit is read from the index, so rows written since
    could not surface yet (the query cost a request 1 ms, and anonymous ones their only trip to
    the database)."""
    store = current_app.extensions.get("search_vectors")
    if store is None:
        store = current_app.extensions.setdefault("search_vectors", VectorStore())
    if index_version is None or index_version != store.index_version:
        store.refresh()
        store.index_version = index_version
    return store


def _products(queries, rows, threads: int | None = 1):
    """queries · rows (k by n) of int8 vectors, exact (a product of 384 int8 pairs fits a
    float32), by SimSIMD's int8 kernels: numpy has no fast int8 product, and ONNX Runtime's
    took 11 ms over 120,000 vectors where these take 1.7 ms."""
    import numpy as np
    import simsimd

    products = simsimd.cdist(
        queries, rows, metric="dot", dtype="int8", out_dtype="float32", threads=threads or 1
    )
    return np.asarray(products)


def _of_types(types, doc_types: tuple[str, ...]):
    """The mask of the rows of these types (np.isin sorted all 120,000 rows: 7 ms)."""
    wanted = [SEMANTIC_TYPES.index(t) for t in doc_types]
    if len(wanted) == len(SEMANTIC_TYPES):
        return types >= 0  # every type: only documents that are gone are left out
    mask = types == wanted[0]
    for index in wanted[1:]:
        mask |= types == index
    return mask
