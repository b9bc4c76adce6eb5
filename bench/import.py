"""Benchmark `flask import stackexchange`: posts per second and peak memory, for a real dump
and for the same dump enlarged N times (ids shifted), with and without indexing.

Usage: .venv/bin/python bench/import.py [--site bicycles.meta] [--times 100]
Each run imports into a fresh SQLite database in a temporary folder, in a child process whose
peak resident memory is read from the kernel. Results: a table and bench/results/import.json.
(Named as the issue names it; it is run as a script, never imported, so the keyword is harmless.)
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DUMPS = ROOT.parent / "shared" / "data" / "stackexchange"
ID_ATTRIBUTES = (
    "Id",
    "ParentId",
    "AcceptedAnswerId",
    "OwnerUserId",
    "PostId",
    "RelatedPostId",
    "UserId",
    "LastEditorUserId",
)
FILES = ("Users.xml", "Posts.xml", "Comments.xml", "PostLinks.xml", "Votes.xml", "Tags.xml")


def enlarge(source: Path, target: Path, times: int) -> None:
    """Write `times` copies of every row, each copy's ids shifted past the previous one."""
    target.mkdir(parents=True)
    pattern = re.compile(r"\b(" + "|".join(ID_ATTRIBUTES) + r')="(-?\d+)"')
    for name in FILES:
        path = source / name
        if not path.exists():
            continue
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        head = [line for line in lines if not line.lstrip().startswith("<row")][:2]
        rows = [line for line in lines if line.lstrip().startswith("<row")]
        tail = lines[-1]
        with (target / name).open("w", encoding="utf-8") as out:
            out.write("\n".join(head) + "\n")
            for copy in range(times):
                shift = copy * 10_000_000

                def shifted(match, shift=shift):
                    value = int(match.group(2))
                    return f'{match.group(1)}="{value + shift if value > 0 else value}"'

                for row in rows:
                    out.write(pattern.sub(shifted, row) + "\n")
            out.write(tail + "\n")


def count_posts(dump: Path) -> int:
    with (dump / "Posts.xml").open(encoding="utf-8-sig") as handle:
        return sum(1 for line in handle if 'PostTypeId="1"' in line or 'PostTypeId="2"' in line)


def run_import(dump: Path, index: bool) -> dict:
    instance = Path(tempfile.mkdtemp(prefix="bench-import-"))
    env = {**os.environ, "PORTAL_INSTANCE_DIR": str(instance), "FLASK_APP": "wsgi"}
    env.pop("PORTAL_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    arguments = ["flask", "import", "stackexchange", str(dump)] + ([] if index else ["--no-index"])
    # The child reports its own peak resident memory when the command is done.
    wrapper = (
        "import resource, sys\n"
        "from flask.cli import main\n"
        f"sys.argv = {arguments!r}\n"
        "try:\n    main()\nexcept SystemExit as done:\n    code = done.code\nelse:\n    code = 0\n"
        "use = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print('PEAK_KB', use.ru_maxrss, 'CPU_S', use.ru_utime + use.ru_stime, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", wrapper], cwd=ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    load_after = os.getloadavg()[0]
    usage = re.search(r"PEAK_KB (\d+) CPU_S ([\d.]+)", done.stderr)
    peak_kb, cpu_seconds = (int(usage.group(1)), float(usage.group(2))) if usage else (0, 0.0)
    shutil.rmtree(instance, ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    posts = count_posts(dump)
    return {
        "posts": posts,
        "index": index,
        "seconds": round(seconds, 2),
        "posts_per_second": round(posts / seconds),
        "peak_rss_mb": round(peak_kb / 1024),
        # Others share the 2 cores: the CPU the import used, and the load average (1 min)
        # before and after, say how far the wall-clock figure was disturbed.
        "cpu_seconds": round(cpu_seconds, 2),
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "summary": [
            line for line in done.stdout.splitlines() if line.startswith(("Imported", "Search"))
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", default="bicycles.meta")
    parser.add_argument("--times", type=int, default=100)
    parser.add_argument(
        "--skip-index-on-large",
        action="store_true",
        help="Index only the original dump (indexing the enlarged one is slow).",
    )
    options = parser.parse_args()
    source = DUMPS / options.site
    work = Path(tempfile.mkdtemp(prefix="bench-dump-"))
    large = work / f"{options.site}.x{options.times}"
    enlarge(source, large, options.times)
    out = ROOT / "bench" / "results" / "import.json"
    runs = []
    for dump, label in ((source, "original"), (large, f"x{options.times}")):
        for index in (False, True):
            if index and label != "original" and options.skip_index_on_large:
                continue
            result = run_import(dump, index) | {"dump": label}
            runs.append(result)
            print(
                f"{label:>10}  index={index!s:<5}  {result['posts']:>8} posts  "
                f"{result['seconds']:>8.1f} s  {result['posts_per_second']:>7} posts/s  "
                f"peak {result['peak_rss_mb']:>5} MB  cpu {result['cpu_seconds']:>7.1f} s  "
                f"load {result['load_average'][0]:.1f}-{result['load_average'][1]:.1f}",
                flush=True,
            )
            # Written after every run: the long ones can be stopped without losing the rest.
            out.write_text(json.dumps({"site": options.site, "runs": runs}, indent=2) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
