"""How well "similar items" finds the original of a known duplicate.

Imports a Stack Exchange dump into a fresh SQLite database (with the search index), then for
every duplicate pair in PostLinks.xml (LinkTypeId=3) asks /search/similar's ranking for the
duplicate's title and checks whether the original is the top result (recall@1) or among the
top five (recall@5). The duplicate itself is left out of its own results.

Usage: .venv/bin/python bench/search_quality.py [--site bicycles.meta]
Writes bench/results/search_quality.json.
"""

import argparse
import json
import os
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DUMPS = ROOT.parent / "shared" / "data" / "stackexchange"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", default="bicycles.meta")
    options = parser.parse_args()
    os.environ["PORTAL_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="bench-quality-")
    os.environ.pop("PORTAL_DATABASE_URL", None)

    from flask_migrate import upgrade

    from portal import create_app
    from portal.attribution import ImportedRecord
    from portal.database import bind_migrations
    from portal.extensions import db
    from portal.imports.stackexchange import StackExchangeImport
    from portal.search.indexer import apply_pending
    from portal.search.queries import similar
    from portal.taxonomy.services import save_area

    dump = DUMPS / options.site
    app = create_app()
    bind_migrations(app)
    with app.app_context():
        upgrade()
        area = save_area(None, name=options.site, slug=None, description="")
        db.session.commit()
        StackExchangeImport(dump, area).run()
        apply_pending()
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
        pairs = [
            (int(row.get("PostId")), int(row.get("RelatedPostId")))
            for row in ET.parse(dump / "PostLinks.xml").getroot().iter("row")
            if row.get("LinkTypeId") == "3"
        ]
        checked = []
        for duplicate, original in pairs:
            if duplicate not in mapping or original not in mapping:
                continue
            hits = [
                hit.id
                for hit in similar(titles[duplicate], "question", limit=6)
                if hit.id != mapping[duplicate]
            ][:5]
            checked.append(
                {
                    "duplicate": duplicate,
                    "title": titles[duplicate],
                    "original": original,
                    "rank": hits.index(mapping[original]) + 1
                    if mapping[original] in hits
                    else None,
                }
            )
    n = len(checked)
    at1 = sum(1 for c in checked if c["rank"] == 1)
    at5 = sum(1 for c in checked if c["rank"] is not None)
    for c in checked:
        print(
            f"{c['duplicate']:>6} -> {c['original']:>6}  rank {c['rank'] or '-':>2}  {c['title']}"
        )
    print(
        f"{options.site}: {n} duplicate pairs, recall@1 {at1}/{n} = {at1 / n:.2f}, "
        f"recall@5 {at5}/{n} = {at5 / n:.2f}"
    )
    out = ROOT / "bench" / "results" / "search_quality.json"
    out.write_text(
        json.dumps(
            {
                "site": options.site,
                "pairs": checked,
                "recall_at_1": at1 / n,
                "recall_at_5": at5 / n,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
