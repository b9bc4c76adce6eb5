"""Search benchmark: rebuild speed, query latency and freshness on a generated community, with
SQLite FTS5 over the same rows as a reference.

Generates N posts (questions, answers and ideas: a quarter questions with two answers each on
average, a quarter ideas) with `flask demo generate`, whose text model learns word bigrams from
the Stack Exchange dumps in ../shared/data/stackexchange/, into a fresh SQLite database kept in
bench/.data/search-N/ (made once; --regenerate makes it again). Then, in one process:

- rebuild: `rebuild()` (what `flask search rebuild` runs): seconds and documents per second;
- queries: a fixed set of 30 searches (single words, two words, phrases, misspellings,
  filters, syntax) through `search()` (what /search runs, highlights included) with the reused
  searcher: each run once cold (nothing kept from earlier searches: p50_cold and p95_cold),
  then REPEAT times; p50 and p95 over those runs, in wall time and in CPU time (the machine is
  shared, so wall time includes waiting for a core), with the result cache emptied before each
  run (postings read by earlier runs stay kept, as in a running portal); and p95 of the same
  search repeated (a result cache hit);
- freshness: one new question asked through the real service and committed, indexed by the
  same after-commit path the web app uses (apply_pending in another thread), while the search
  is polled until it finds it: seconds from commit to searchable;
- index size on disk;
- similar items (the semantic score): the rebuild above also embeds every question and idea;
  then what loading the model and every vector adds to the process's resident memory,
  similar() for ten typed titles (REPEAT times each: p50, p95), and what embedding and storing
  one new post's vector adds to the indexing path;
- FTS5: the same documents (title, plain text, tags, type, area) in an FTS5 table (porter
  stemming), its build time and the same queries as MATCH with bm25 ranking, a title weight,
  LIMIT 20 and snippets; then the ratio Whoosh / FTS5.

Usage: .venv/bin/python bench/search.py [--posts 100000] [--label after] [--regenerate]
Results: a table on stdout and bench/results/search.json (one entry per --label, so before and
after figures sit side by side). Figures are taken on a shared 2-core machine.
"""

import argparse
import json
import os
import resource
import sqlite3
import sys
import threading
import time
from pathlib import Path

import generated  # bench/generated.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "search.json"
REPEAT = 5

# (what it exercises, Whoosh query, filters, FTS5 MATCH expression, FTS5 extra condition)
QUERIES = [
    ("word", "brake", {}, "brake", ""),
    ("word", "espresso", {}, "espresso", ""),
    ("word", "grinder", {}, "grinder", ""),
    ("word", "tire", {}, "tire", ""),
    ("word", "chain", {}, "chain", ""),
    ("word", "milk", {}, "milk", ""),
    ("word", "saddle", {}, "saddle", ""),
    ("word", "roast", {}, "roast", ""),
    ("word", "water", {}, "water", ""),
    ("word", "bike", {}, "bike", ""),
    ("two words", "brake pads", {}, "brake pads", ""),
    ("two words", "tubeless tire", {}, "tubeless tire", ""),
    ("two words", "espresso machine", {}, "espresso machine", ""),
    ("two words", "french press", {}, "french press", ""),
    ("two words", "coffee beans", {}, "coffee beans", ""),
    ("two words", "rear derailleur", {}, "rear derailleur", ""),
    ("two words", "cold brew", {}, "cold brew", ""),
    ("two words", "road bike", {}, "road bike", ""),
    ("phrase", '"disc brakes"', {}, '"disc brakes"', ""),
    ("phrase", '"espresso machine"', {}, '"espresso machine"', ""),
    ("phrase", '"pour over"', {}, '"pour over"', ""),
    ("misspelling", "espreso", {}, "espreso", ""),
    ("misspelling", "derailer", {}, "derailer", ""),
    ("filter", "brake", {"type": "question"}, "brake", "type = 'question'"),
    ("filter", "grind", {"type": "idea"}, "grind", "type = 'idea'"),
    ("filter", "tire", {"status": "solved"}, "tire", "solved = 1"),
    ("syntax", "title:espresso", {}, "title:espresso", ""),
    ("syntax", "grind AND coarse", {}, "grind AND coarse", ""),
    ("syntax", "coffee NOT espresso", {}, "coffee NOT espresso", ""),
    ("no match", "zzqx flurble", {}, "zzqx flurble", ""),
]


def environment(posts: int) -> dict:
    return generated.environment(f"search-{posts}")


def prepare(posts: int, regenerate: bool) -> None:
    counts = ["--questions", str(posts // 4), "--answers-per-question", "2"]
    counts += ["--ideas", str(posts // 4), "--users", str(max(posts // 20, 100))]
    counts += ["--votes", str(posts), "--comments-per-post", "0.1", "--searches", "1000"]
    generated.generate_once(environment(posts), counts, regenerate=regenerate)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# -- Whoosh (the portal's own code) ------------------------------------------------------------


def run_portal(posts: int) -> dict:
    os.environ.update(environment(posts))
    from portal import create_app
    from portal.extensions import db
    from portal.search import ranking
    from portal.search.index import live_index_dir, searchers
    from portal.search.indexer import apply_pending, rebuild
    from portal.search.queries import Filters, search

    app = create_app()
    with app.app_context():
        print("== rebuilding the index", flush=True)
        cpu_before = cpu_seconds()
        built = rebuild()
        cpu = cpu_seconds() - cpu_before
        print(f"   {built.documents:,} documents in {built.seconds:.1f}s", flush=True)
        searchers().close()
        timings, cpu_timings, cached, cold, results = [], [], [], [], {}
        for _kind, text, filters, _match, _where in QUERIES:
            ranking.CACHE.clear()  # nothing read from the index kept: the first search
            searchers().forget_results()
            started = time.perf_counter()
            outcome = search(text, Filters(**filters))
            cold.append(time.perf_counter() - started)
            results[text] = outcome.total
            for _ in range(REPEAT):
                searchers().forget_results()  # measure the search, not the result cache
                started, cpu_started = time.perf_counter(), time.thread_time()
                search(text, Filters(**filters))
                timings.append(time.perf_counter() - started)
                cpu_timings.append(time.thread_time() - cpu_started)
                started = time.perf_counter()
                search(text, Filters(**filters))  # the same search again: from the cache
                cached.append(time.perf_counter() - started)
        freshness = commit_to_searchable(app, db, apply_pending, search, Filters)
        size = folder_size(live_index_dir())
        similarity = measure_similar_items(db)
    return {
        "documents": built.documents,
        "rebuild_s": round(built.seconds, 2),
        "docs_per_s": round(built.per_second),
        # The machine is shared: CPU seconds (this process and its workers) say what the
        # rebuild costs when wall time is inflated by other jobs.
        "rebuild_cpu_s": round(cpu, 2),
        "docs_per_cpu_s": round(built.documents / cpu),
        "p50_ms": round(percentile(timings, 0.5) * 1000, 2),
        "p95_ms": round(percentile(timings, 0.95) * 1000, 2),
        "p50_cpu_ms": round(percentile(cpu_timings, 0.5) * 1000, 2),
        "p95_cpu_ms": round(percentile(cpu_timings, 0.95) * 1000, 2),
        "p95_cached_ms": round(percentile(cached, 0.95) * 1000, 3),
        # Each query's first run, with nothing kept from earlier searches (postings unread).
        "p50_cold_ms": round(percentile(cold, 0.5) * 1000, 2),
        "p95_cold_ms": round(percentile(cold, 0.95) * 1000, 2),
        "commit_to_searchable_s": round(freshness, 3),
        "index_mb": round(size / 2**20, 1),
        "totals": results,
        "similar_items": similarity,
    }


def rss_mb() -> dict[str, float]:
    """Resident memory: all of it, the process's own (anonymous: heap, arrays) and mapped files
    (libraries: shared with the other workers)."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "RssAnon", "RssFile"):
            found[name] = int(value.split()[0]) / 1024
    return found


def measure_similar_items(db) -> dict:
    """Similar items with the semantic score: what loading the model and every vector adds to a
    process's memory, the JSON's ranking (p50, p95 of similar() for typed titles), and what
    embedding one new post adds to the indexing path (store_vectors for one document)."""
    from portal.search.embedding import availability, model
    from portal.search.queries import similar
    from portal.search.vectors import store_vectors, vector_count, vector_store

    if not availability().ready:
        return {"semantic": availability().reason}
    before = rss_mb()
    started = time.perf_counter()
    model()
    store = vector_store()
    loaded_s = time.perf_counter() - started
    after = rss_mb()
    cold, timings = [], []
    for text in generated.TYPED:  # first time: postings not yet read, as after a worker starts
        started = time.perf_counter()
        similar(text)
        cold.append(time.perf_counter() - started)
    for _ in range(REPEAT):
        for text in generated.TYPED:
            started = time.perf_counter()
            similar(text)
            timings.append(time.perf_counter() - started)
    indexing = []
    for n in range(30):
        document = {
            "title": f"How do I keep the chain clean on a wet commute, day {n}?",
            "body": "I ride every day in the rain and the chain gets gritty within a week. " * 3,
        }
        started = time.perf_counter()
        store_vectors({("question", 10_000_000 + n): document})
        indexing.append(time.perf_counter() - started)
        db.session.rollback()
    return {
        "vectors": vector_count(),
        "held_vectors": store.count,
        "load_s": round(loaded_s, 2),
        "extra_rss_mb": round(after["VmRSS"] - before["VmRSS"], 1),
        "extra_anonymous_mb": round(after["RssAnon"] - before["RssAnon"], 1),
        "extra_file_backed_mb": round(after["RssFile"] - before["RssFile"], 1),
        "similar_p95_cold_ms": round(percentile(cold, 0.95) * 1000, 2),
        "similar_p50_ms": round(percentile(timings, 0.5) * 1000, 2),
        "similar_p95_ms": round(percentile(timings, 0.95) * 1000, 2),
        "embed_one_post_p50_ms": round(percentile(indexing, 0.5) * 1000, 2),
        "embed_one_post_p95_ms": round(percentile(indexing, 0.95) * 1000, 2),
    }


def similar_again(options) -> None:
    os.environ.update(environment(options.posts))
    from portal import create_app
    from portal.extensions import db

    with create_app().app_context():
        found = measure_similar_items(db)
    print(json.dumps(found, indent=2))
    saved = json.loads(RESULTS.read_text())
    saved[options.label]["whoosh"]["similar_items"] = found
    RESULTS.write_text(json.dumps(saved, indent=2) + "\n")


def commit_to_searchable(app, db, apply_pending, search, Filters) -> float:
    """Ask a question through the service, commit, index it the way the web app does after the
    response (another thread), and poll the search until it is found."""
    from portal.accounts.models import User
    from portal.support.services import ask_question
    from portal.taxonomy.models import ProductArea

    marker = f"quokkafreshness{time.monotonic_ns() % 10**9}"
    author = db.session.scalars(db.select(User).order_by(User.id)).first()
    area = db.session.scalars(db.select(ProductArea).order_by(ProductArea.id)).first()
    with app.test_request_context():
        ask_question(
            author,
            title=f"Benchmark freshness {marker}",
            body=f"Does {marker} show up in search right away?",
            area=area,
            tags=[],
        )
        db.session.commit()
        committed = time.perf_counter()

        def index_after_response():
            with app.app_context():
                apply_pending()
                db.session.remove()

        worker = threading.Thread(target=index_after_response)
        worker.start()
        while search(marker, Filters()).total == 0:
            if time.perf_counter() - committed > 60:
                raise RuntimeError("the new question never became searchable")
            time.sleep(0.005)
        found = time.perf_counter() - committed
        worker.join()
    return found


# -- SQLite FTS5 over the same rows -------------------------------------------------------------


def run_fts5(posts: int) -> dict:
    os.environ.update(environment(posts))
    from portal import create_app
    from portal.search.documents import SOURCES

    instance = Path(environment(posts)["PORTAL_INSTANCE_DIR"])
    path = instance / "fts5.db"
    path.unlink(missing_ok=True)
    app = create_app()
    with app.app_context():
        started, cpu_before = time.perf_counter(), cpu_seconds()
        fts = sqlite3.connect(path)
        fts.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, tag, type UNINDEXED, "
            "area UNINDEXED, solved UNINDEXED, tokenize='porter unicode61')"
        )
        documents = 0
        for doc_type, source in SOURCES.items():
            for ids in source.all_ids(1000):
                rows = [
                    (
                        d.get("title"),
                        d.get("body"),
                        (d.get("tag") or "").replace(",", " "),
                        doc_type,
                        d.get("area"),
                        int(bool(d.get("solved"))),
                    )
                    for d in source.load(ids).values()
                    if d is not None
                ]
                fts.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
                documents += len(rows)
        fts.commit()
        built, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    timings, cpu_timings, results = [], [], {}
    for _kind, _text, _filters, match, where in QUERIES:
        sql = (
            "SELECT title, snippet(docs, 1, '<mark>', '</mark>', ' … ', 24) FROM docs "
            "WHERE docs MATCH ? AND type IN ('question', 'idea') "
            + (f"AND {where} " if where else "")
            + "ORDER BY bm25(docs, 3.0, 1.0, 1.0) LIMIT 20"
        )
        count = "SELECT count(*) FROM docs WHERE docs MATCH ? AND type IN ('question', 'idea') "
        count += f"AND {where}" if where else ""
        results[match] = fts.execute(count, (match,)).fetchone()[0]
        fts.execute(sql, (match,)).fetchall()
        for _ in range(REPEAT):
            started, cpu_started = time.perf_counter(), time.thread_time()
            fts.execute(sql, (match,)).fetchall()
            fts.execute(count, (match,)).fetchone()  # Whoosh's page also knows the total
            timings.append(time.perf_counter() - started)
            cpu_timings.append(time.thread_time() - cpu_started)
    fts.close()
    return {
        "documents": documents,
        "rebuild_s": round(built, 2),
        "docs_per_s": round(documents / built),
        "rebuild_cpu_s": round(cpu, 2),
        "docs_per_cpu_s": round(documents / cpu),
        "p50_ms": round(percentile(timings, 0.5) * 1000, 2),
        "p95_ms": round(percentile(timings, 0.95) * 1000, 2),
        "p50_cpu_ms": round(percentile(cpu_timings, 0.5) * 1000, 2),
        "p95_cpu_ms": round(percentile(cpu_timings, 0.95) * 1000, 2),
        "index_mb": round(path.stat().st_size / 2**20, 1),
        "totals": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--label", default="current", help="Name of this run in the JSON.")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--skip-fts", action="store_true", help="Only the portal's own index.")
    parser.add_argument(
        "--similar-only",
        action="store_true",
        help="Measure similar items again on the index and vectors of the run --label.",
    )
    options = parser.parse_args()
    prepare(options.posts, options.regenerate)
    if options.similar_only:
        similar_again(options)
        return
    whoosh = run_portal(options.posts)
    rows = {"whoosh": whoosh}
    if not options.skip_fts:
        print("== building the FTS5 reference", flush=True)
        rows["fts5"] = run_fts5(options.posts)
    print()
    print(f"{'engine':<8} {'docs':>8} {'rebuild s':>10} {'docs/s':>8} {'cpu s':>7} ", end="")
    print(f"{'p50 ms':>8} {'cold p95':>8} ", end="")
    print(f"{'p95 ms':>8} {'p95 cpu':>8} {'fresh s':>8} {'index MB':>9}")
    for name, row in rows.items():
        fresh = row.get("commit_to_searchable_s")
        print(
            f"{name:<8} {row['documents']:>8,} {row['rebuild_s']:>10.1f} {row['docs_per_s']:>8,} "
            f"{row['rebuild_cpu_s']:>7.1f} "
            f"{row['p50_ms']:>8.1f} {row.get('p95_cold_ms', float('nan')):>8.1f} "
            f"{row['p95_ms']:>8.1f} {row['p95_cpu_ms']:>8.1f} "
            f"{'' if fresh is None else f'{fresh:.3f}':>8} {row['index_mb']:>9.1f}"
        )
    if "fts5" in rows:
        fts = rows["fts5"]
        ratio = {
            "rebuild": round(whoosh["rebuild_s"] / fts["rebuild_s"], 2),
            "rebuild_cpu": round(whoosh["rebuild_cpu_s"] / fts["rebuild_cpu_s"], 2),
            "p50": round(whoosh["p50_ms"] / fts["p50_ms"], 2),
            "p95": round(whoosh["p95_ms"] / fts["p95_ms"], 2),
            "p95_cpu": round(whoosh["p95_cpu_ms"] / fts["p95_cpu_ms"], 2),
            "size": round(whoosh["index_mb"] / fts["index_mb"], 2),
        }
        rows["whoosh_over_fts5"] = ratio
        print("Whoosh / FTS5: " + ", ".join(f"{k} {v}x" for k, v in ratio.items()))
    similarity = whoosh["similar_items"]
    if "vectors" in similarity:
        print(
            f"Similar items: {similarity['vectors']:,} vectors, "
            f"p50 {similarity['similar_p50_ms']} ms, p95 {similarity['similar_p95_ms']} ms; "
            "one post embedded and stored in "
            f"{similarity['embed_one_post_p95_ms']} ms (p95); model and vectors add "
            f"{similarity['extra_rss_mb']} MB to a process ({similarity['extra_anonymous_mb']} MB "
            "its own)"
        )
    else:
        print(f"Similar items: words only ({similarity['semantic']})")
    print("Targets at 100,000 posts: rebuild <= 120 s (with vectors <= 600 s), p95 <= 50 ms,")
    print("searchable <= 1 s; similar items p95 <= 50 ms, one post's vector <= 30 ms,")
    print("model and vectors <= 100 MB more per process.")
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved[options.label] = {
        "posts": options.posts,
        "measured": time.strftime("%Y-%m-%d %H:%M"),
        "load_average": os.getloadavg()[0],
        **rows,
    }
    RESULTS.write_text(json.dumps(saved, indent=2) + "\n")


if __name__ == "__main__":
    main()
