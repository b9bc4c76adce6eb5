"""Similar items and search as the index ages, and what the worker's merge gives back.

On the generated community of bench/search.py (bench/.data/search-N, made once), in one
process:

1. `rebuild()`, as `flask search rebuild` does (vectors already stored are not embedded again);
2. BATCHES indexing batches of BATCH documents (questions and answers picked at random,
   re-indexed through the search_change log by `apply_pending`, as the indexing thread does
   after posts under load): each batch leaves a segment;
3. `merge_segments()`, what the mail worker runs each round: its seconds.

After each step: the index's segments, and p50 and p95 of similar() for the typed titles and of
search() for bench/search.py's queries (each once to warm up, then REPEAT times).

Usage: .venv/bin/python bench/segments.py [--posts 100000] [--batches 6] [--batch 250]
Results: a table on stdout and bench/results/segments.json. Figures are taken on a shared
2-core machine.
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import generated  # bench/generated.py, beside this script
import search as search_bench  # bench/search.py: the community and its queries

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "segments.json"
REPEAT = 5


def timed(calls) -> dict:
    """p50 and p95 in ms of each call REPEAT times, after one warm-up round."""
    for call in calls:
        call()
    timings = []
    for _ in range(REPEAT):
        for call in calls:
            started = time.perf_counter()
            call()
            timings.append(time.perf_counter() - started)
    return {
        "p50_ms": round(search_bench.percentile(timings, 0.5) * 1000, 2),
        "p95_ms": round(search_bench.percentile(timings, 0.95) * 1000, 2),
    }


def measure(label: str) -> dict:
    from portal.search.index import live_index_dir, searchers
    from portal.search.indexer import segment_sizes
    from portal.search.queries import Filters, search, similar

    searchers().close()  # read the index as it is now

    def searching(text, filters):
        def call():
            searchers().forget_results()  # the search, not the result cache
            search(text, Filters(**filters))

        return call

    row = {
        "step": label,
        "segments": sorted(segment_sizes(live_index_dir()), reverse=True),
        "similar": timed([lambda text=text: similar(text) for text in generated.TYPED]),
        "search": timed([searching(q[1], q[2]) for q in search_bench.QUERIES]),
    }
    print(
        f"{label:<28} {len(row['segments']):>8} {row['similar']['p50_ms']:>11.1f} "
        f"{row['similar']['p95_ms']:>11.1f} {row['search']['p50_ms']:>10.1f} "
        f"{row['search']['p95_ms']:>10.1f}",
        flush=True,
    )
    return row


def reindex_batches(batches: int, batch: int) -> float:
    """Seconds for `batches` indexing batches of `batch` questions and answers each."""
    from portal.extensions import db
    from portal.search.changes import record_search_change
    from portal.search.indexer import apply_pending
    from portal.support.models import Answer, Question

    rng = random.Random(28)
    questions = db.session.scalars(db.select(Question.id)).all()
    answers = db.session.scalars(db.select(Answer.id)).all()
    db.session.rollback()
    started = time.perf_counter()
    for _ in range(batches):
        for question_id in rng.sample(questions, batch // 2):
            record_search_change("question", question_id)
        for answer_id in rng.sample(answers, batch - batch // 2):
            record_search_change("answer", answer_id)
        db.session.commit()
        apply_pending()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--batches", type=int, default=6)
    parser.add_argument("--batch", type=int, default=250, help="Documents an indexing batch.")
    options = parser.parse_args()
    search_bench.prepare(options.posts, regenerate=False)
    os.environ.update(search_bench.environment(options.posts))
    from portal import create_app
    from portal.search.indexer import merge_segments, rebuild

    rows = []
    with create_app().app_context():
        print("== rebuilding the index", flush=True)
        built = rebuild()
        print(f"   {built.documents:,} documents in {built.seconds:.1f}s", flush=True)
        print(f"{'index':<28} {'segments':>8} {'similar p50':>11} {'similar p95':>11} ", end="")
        print(f"{'search p50':>10} {'search p95':>10}")
        rows.append(measure("just rebuilt"))
        seconds = reindex_batches(options.batches, options.batch)
        rows.append(measure(f"after {options.batches} batches of {options.batch}"))
        started = time.perf_counter()
        merged = merge_segments()
        merge_s = time.perf_counter() - started
        rows.append(measure(f"merged ({merged} segments)"))
    print(f"Batches took {seconds:.1f}s; the merge of {merged} segments took {merge_s:.1f}s.")
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved[f"{options.posts}-posts"] = {
        "measured": time.strftime("%Y-%m-%d %H:%M"),
        "documents": built.documents,
        "rebuild_s": round(built.seconds, 1),
        "batches": options.batches,
        "batch": options.batch,
        "batches_s": round(seconds, 1),
        "merged_segments": merged,
        "merge_s": round(merge_s, 2),
        "load_average": os.getloadavg()[0],
        "steps": rows,
    }
    RESULTS.write_text(json.dumps(saved, indent=2) + "\n")


if __name__ == "__main__":
    main()
