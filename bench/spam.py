"""Spam filter benchmark: precision and recall on held-out text, and the time to score a post.

Data (read from ../shared/data, never copied here):
- spam and legitimate: the YouTube Spam Collection, 1,956 hand-labelled comments on five videos,
  by Túlio C. Alberto, Johannes V. Lochter and Tiago A. Almeida ("TubeSpam: Comment Spam
  Filtering on YouTube", ICMLA 2015), UCI Machine Learning Repository, CC BY 4.0;
- legitimate: every question and answer of the Stack Exchange dumps (bicycles.meta, coffee;
  CC BY-SA), HTML stripped, link addresses kept.

Scores are what `check_post` gives an established member posting at a normal pace: the
classifier plus the links signal (portal.moderation.spam.score_text). Two evaluations:
(a) stratified 5-fold cross-validation over all of it;
(b) one video held out entirely: trained on the other four videos and the Stack Exchange
    posts, scored on the held-out video's comments; each video in turn, pooled and per video.
Each at the configured SPAM_THRESHOLD and at the lowest threshold whose precision is at least
0.95 (target there: recall at least 0.9). Then the time per post of `check_post` itself (with
the flush of its fingerprint row) on a real database with a trained model stored (target:
5 ms; wall and CPU time, with the load average, since a busy machine inflates wall time),
SQLite by default or PostgreSQL with --database-url (schema `bench_spam`, dropped after).

Usage:
    .venv/bin/python bench/spam.py [--database-url postgresql://postgres@127.0.0.1/test]
        [--posts 400]
Writes bench/results/spam.json (merged: one timing entry per backend).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
from scratch import drop_schema, scratch_app  # bench/scratch.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the portal package is next door
DATA = ROOT.parent / "shared" / "data"
SPAM = DATA / "spam"
STACK_EXCHANGE = DATA / "stackexchange"
RESULTS = ROOT / "bench" / "results" / "spam.json"
PG_SCHEMA = "bench_spam"
TARGET_PRECISION, TARGET_RECALL, TARGET_MS = 0.95, 0.9, 5.0
CREDIT = (
    "YouTube Spam Collection: T. C. Alberto, J. V. Lochter, T. A. Almeida, 'TubeSpam: Comment "
    "Spam Filtering on YouTube', ICMLA 2015; UCI Machine Learning Repository; CC BY 4.0. "
    "Legitimate posts: Stack Exchange (bicycles.meta, coffee), CC BY-SA."
)


def measures(scores, labels, threshold: float) -> dict:
    """Precision and recall at `threshold`, and at the lowest threshold reaching the target
    precision."""
    from sklearn.metrics import precision_recall_curve

    from portal.moderation.spam import precision_recall

    precision, recall = precision_recall(scores, labels, threshold)
    curve_precision, curve_recall, thresholds = precision_recall_curve(labels, scores)
    reaching = [
        (r, t)
        for p, r, t in zip(curve_precision[:-1], curve_recall[:-1], thresholds, strict=True)
        if p >= TARGET_PRECISION
    ]
    best_recall, best_threshold = max(reaching, key=lambda rt: (rt[0], -rt[1]))
    held = np.asarray(scores) >= best_threshold
    spam = np.asarray(labels, dtype=bool)
    return {
        "examples": len(labels),
        "spam": int(spam.sum()),
        "at_threshold": {"threshold": threshold, "precision": precision, "recall": recall},
        "at_precision_0.95": {
            "threshold": round(float(best_threshold), 4),
            "precision": round(float((held & spam).sum() / held.sum()), 4),
            "recall": round(float(best_recall), 4),
        },
    }


def evaluate(examples, limits) -> dict:
    from portal.moderation.spam import cross_validated_scores, fit, score_text

    texts = [e.text for e in examples]
    labels = np.array([e.is_spam for e in examples])
    sources = np.array([e.source for e in examples])

    started = time.perf_counter()
    cv_scores = cross_validated_scores(texts, labels, 5, limits)
    cross_validated = measures(cv_scores, labels, limits.threshold)
    cross_validated["seconds"] = round(time.perf_counter() - started, 1)
    print(f"(a) cross-validated: {cross_validated}", flush=True)

    videos = sorted(s for s in set(sources) if s.endswith(".csv"))
    pooled_scores, pooled_labels, per_video = [], [], {}
    for video in videos:
        held_out = sources == video
        classifier = fit(
            [t for t, h in zip(texts, held_out, strict=True) if not h], labels[~held_out]
        )
        scores = score_text(
            classifier, [t for t, h in zip(texts, held_out, strict=True) if h], limits
        )
        pooled_scores.extend(scores)
        pooled_labels.extend(labels[held_out])
        per_video[video] = measures(scores, labels[held_out], limits.threshold)
        print(f"(b) {video} held out: {per_video[video]}", flush=True)
    held_out_video = measures(pooled_scores, pooled_labels, limits.threshold)
    held_out_video["per_video"] = per_video
    return {"cross_validated": cross_validated, "video_held_out": held_out_video}


def time_check_post(examples, limits, posts: int) -> dict:
    """`check_post` (and the flush of its fingerprint) per post, with a stored model."""
    from portal.accounts.models import User
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.moderation.spam import check_post, fit

    classifier = fit([e.text for e in examples], [e.is_spam for e in examples])
    db.session.add(classifier.to_row({"bench": True}))
    authors = [
        User(
            email=f"author{n}@example.com",
            display_name=f"Author {n}",
            password_hash="x",
            created_at=utcnow() - timedelta(days=n),
        )
        for n in range(20)
    ]
    db.session.add_all(authors)
    db.session.commit()
    rng = np.random.default_rng(20261205)
    chosen = [examples[i] for i in rng.choice(len(examples), size=posts, replace=False)]
    timings, cpu = [], []
    for number, example in enumerate(chosen):
        author = authors[number % len(authors)]
        started, started_cpu = time.perf_counter(), time.process_time()
        check_post(
            author_id=author.id,
            author_created_at=author.created_at,
            kind="answer",
            post_id=number + 1,
            text=example.text,
        )
        db.session.flush()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if number % 50 == 49:
            db.session.commit()
    db.session.commit()
    cold, warm = timings[0], sorted(timings[1:])
    return {
        "posts": posts,
        "first_ms (loads the model)": round(cold, 2),
        "mean_ms": round(statistics.fmean(warm), 3),
        "p95_ms": round(warm[int(len(warm) * 0.95)], 3),
        # CPU time in this process (all of SQLite's work, none of PostgreSQL's server's): a
        # busy machine inflates it less than wall time.
        "cpu_mean_ms": round(statistics.fmean(cpu[1:]), 3),
        "cpu_p95_ms": round(sorted(cpu[1:])[int(len(cpu) * 0.95)], 3),
        "load_average": round(os.getloadavg()[0], 1),
        "target_ms": TARGET_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="PostgreSQL; SQLite in a temporary folder if not")
    parser.add_argument("--posts", type=int, default=400, help="Posts scored for the timing.")
    parser.add_argument("--skip-evaluation", action="store_true", help="Only time check_post.")
    options = parser.parse_args()
    if not SPAM.is_dir() or not STACK_EXCHANGE.is_dir():
        sys.exit(f"bench/spam.py needs {SPAM} and {STACK_EXCHANGE}")

    from flask_migrate import upgrade

    from portal.database import bind_migrations
    from portal.moderation.labelled import read_folder
    from portal.moderation.spam import Limits

    examples = list(read_folder(SPAM)) + list(read_folder(STACK_EXCHANGE))
    print(
        f"{len(examples):,} examples: {sum(e.is_spam for e in examples):,} spam. {CREDIT}",
        flush=True,
    )
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["data"] = CREDIT
    instance = Path(tempfile.mkdtemp(prefix="bench-spam-"))
    app = scratch_app(options.database_url, instance, PG_SCHEMA)
    bind_migrations(app)
    backend = "postgresql" if options.database_url else "sqlite"
    try:
        with app.app_context():
            upgrade()
            limits = Limits.from_config(app.config)
            results["settings"] = limits.__dict__
            if not options.skip_evaluation:
                results.update(evaluate(examples, limits))
            timing = time_check_post(examples, limits, options.posts)
            print(f"check_post on {backend}: {timing}", flush=True)
            results.setdefault("scoring", {})[backend] = timing
    finally:
        if options.database_url:
            drop_schema(options.database_url, PG_SCHEMA)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
