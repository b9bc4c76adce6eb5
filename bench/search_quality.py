"""How well "similar items" finds the original of a known duplicate.

Imports a Stack Exchange dump (any folder with Posts.xml and PostLinks.xml) into a fresh
SQLite database, with the search index and its vectors. Then for every duplicate pair in
PostLinks.xml (LinkTypeId=3) it asks similar items for the duplicate's title, the way the ask
form does, and finds the original's rank among the top five (the duplicate itself left out).
It reports recall@1, recall@5 and the mean reciprocal rank (MRR, 0 past the fifth) for each
method: the word match alone ("words"), the sentence embedding alone ("semantic") and both
fused ("combined", what the portal uses).

Usage: .venv/bin/python bench/search_quality.py [--dump DIR ...] [--held-out DIR ...]
  (default: every dump with duplicate links in ../shared/data/stackexchange)
Writes bench/results/search_quality.json: one entry per dump, marked tuned-on or held-out.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DUMPS = ROOT.parent / "shared" / "data" / "stackexchange"


RANKS = 5


def evaluate(dump: Path) -> dict:
    """Import `dump` into a fresh instance and rank every duplicate pair by each method."""
    os.environ["PORTAL_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="bench-quality-")
    os.environ.pop("PORTAL_DATABASE_URL", None)

    from flask_migrate import upgrade

    from portal import create_app
    from portal.attribution import ImportedRecord
    from portal.database import bind_migrations
    from portal.extensions import db
    from portal.imports.stackexchange import StackExchangeImport
    from portal.search.embedding import availability
    from portal.search.indexer import apply_pending
    from portal.search.queries import METHODS, similar
    from portal.taxonomy.services import save_area

    app = create_app({"SEARCH_MODEL_DIR": str(ROOT / "instance" / "models")})
    bind_migrations(app)
    with app.app_context():
        if not availability().ready:
            raise SystemExit(f"The model cannot run here: {availability().reason}")
        upgrade()
        area = save_area(None, name=dump.name[:60], slug=None, description="")
        db.session.commit()
        StackExchangeImport(dump, area).run()
        started = time.perf_counter()
        apply_pending()
        indexed_s = time.perf_counter() - started
        mapping = dict(
            db.session.execute(
                db.select(ImportedRecord.source_id, ImportedRecord.target_id).where(
                    ImportedRecord.source_type == "post", ImportedRecord.target_type == "question"
                )
            ).all()
        )
        titles = {
            int(row.get("Id")): row.get("Title")
            for row in ET.parse(dump / "Posts.xml").getroot().iter("row")
            if row.get("PostTypeId") == "1"
        }
        links = ET.parse(dump / "PostLinks.xml").getroot().iter("row")
        pairs = [
            (int(row.get("PostId")), int(row.get("RelatedPostId")))
            for row in links
            if row.get("LinkTypeId") == "3"
        ]
        pairs = [(d, o) for d, o in pairs if d in mapping and o in mapping and d != o]
        methods = {}
        for method in METHODS:
            checked = []
            for duplicate, original in pairs:
                hits = similar(
                    titles[duplicate],
                    "question",
                    limit=RANKS,
                    exclude=(("question", mapping[duplicate]),),
                    method=method,
                )
                ids = [hit.id for hit in hits]
                rank = ids.index(mapping[original]) + 1 if mapping[original] in ids else None
                checked.append({"duplicate": duplicate, "original": original, "rank": rank})
            methods[method] = summary(checked)
            methods[method]["pairs"] = checked
        return {
            "questions": len(titles),
            "pairs": len(pairs),
            "titles": {d: titles[d] for d, _ in pairs},
            "index_and_vectors_s": round(indexed_s, 1),
            "methods": methods,
        }


def summary(checked: list[dict]) -> dict:
    n = len(checked) or 1
    ranks = [c["rank"] for c in checked]
    return {
        "recall_at_1": round(sum(1 for r in ranks if r == 1) / n, 3),
        "recall_at_5": round(sum(1 for r in ranks if r is not None) / n, 3),
        "mrr": round(sum(1 / r for r in ranks if r is not None) / n, 3),
    }


def with_duplicates(folder: Path) -> list[Path]:
    return sorted(
        path.parent
        for path in folder.glob("*/PostLinks.xml")
        if 'LinkTypeId="3"' in path.read_text(encoding="utf-8-sig")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dump", type=Path, action="append", default=[])
    parser.add_argument("--held-out", type=Path, action="append", default=[])
    options = parser.parse_args()
    dumps = [(path, "tuned-on") for path in options.dump or with_duplicates(DUMPS)]
    dumps += [(path, "held-out") for path in options.held_out]
    out = ROOT / "bench" / "results" / "search_quality.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    results = {name: e for name, e in results.items() if isinstance(e, dict) and "methods" in e}
    for dump, role in dumps:
        found = evaluate(dump.resolve())
        print(f"{dump.name} ({role}): {found['questions']} questions, {found['pairs']} pairs")
        print(f"  {'method':<10} {'recall@1':>9} {'recall@5':>9} {'MRR':>6}")
        for method, figures in found["methods"].items():
            print(
                f"  {method:<10} {figures['recall_at_1']:>9.2f} {figures['recall_at_5']:>9.2f} "
                f"{figures['mrr']:>6.2f}"
            )
        results[dump.name] = {
            "role": role,
            "measured": time.strftime("%Y-%m-%d %H:%M"),
            **found,
        }
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
