"""API benchmark: /api/v1 reads against the HTML pages that show the same data, on the same
generated community, server and load (bench/pages.py's gunicorn and wrk).

Each pair is one list or record as a page and as an API call: the questions list, a question
with 3 answers, the idea board, an idea, a search. Each is run twice, page, API, API, page, and
averaged, so neither side always runs second on a machine that drifts. Visitors read both
anonymously; a member reads the pages signed in and the API with a token of theirs. Target:
the API's requests per second at least 80% of the page's.

Usage:
    .venv/bin/python bench/api.py [--backend sqlite|postgresql] [--duration 10] [--small]

Results: a table on stdout and bench/results/api-<backend>[-small].json.
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
import urllib.parse
from dataclasses import asdict

import generated  # bench/generated.py, beside this script
import pages  # bench/pages.py: the server, the load and the measurements

TARGET = 0.8


def pairs(ids: dict) -> list[tuple[str, list[str], list[str]]]:
    three = ids["three"][:100]
    ideas = ids["ideas"][:100]
    words = [urllib.parse.quote(q) for q in pages.SEARCHES if ":" not in q and '"' not in q]
    return [
        ("questions list", ["/questions"], ["/api/v1/questions"]),
        (
            "question (3 answers)",
            [f"/questions/{i}" for i in three],
            [f"/api/v1/questions/{i}" for i in three],
        ),
        ("idea board", ["/ideas"], ["/api/v1/ideas"]),
        ("idea", [f"/ideas/{i}" for i in ideas], [f"/api/v1/ideas/{i}" for i in ideas]),
        ("search", [f"/search?q={w}" for w in words], [f"/api/v1/search?q={w}" for w in words]),
    ]


def make_token(env: dict, email: str) -> str:
    command = [str(pages.BIN / "flask"), "users", "token", email, "--name", "bench"]
    done = subprocess.run(command, env=env, cwd=pages.ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(done.stderr)
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--small", action="store_true", help="a tenth of the full size")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    env = pages.environment(args.backend, args.small)
    generated.generate_once(
        env, pages.SMALL if args.small else pages.FULL, regenerate=args.regenerate
    )
    pages.index_search_once(env)
    ids = pages.sample_ids(env)
    token = make_token(env, "member@example.com")
    rows, comparisons = [], []
    server = pages.Server("wsgi:app", env, args.workers, args.threads)
    try:
        cookie, _csrf = pages.log_in(server.base, "member@example.com")
        for name, page_paths, api_paths in pairs(ids):
            for who in ("anonymous", "member"):
                page = pages.Scenario(name, page_paths, who=who)
                api = pages.Scenario(f"api: {name}", api_paths, who=who)
                headers = [f"Authorization: Bearer {token}"] if who == "member" else []
                pages.warm_up(server.base, [page], {"member": (cookie, None)})
                warm(server.base, api_paths, headers)
                page_cookie = cookie if who == "member" else None
                # Page, API, API, page: whichever runs first or second meets the same machine.
                runs = {"page": [], "api": []}
                for kind in ("page", "api", "api", "page"):
                    if kind == "page":
                        result = pages.drive(server.base, page, page_cookie, None, args)
                    else:
                        result = drive_with_headers(server.base, api, headers, args)
                    runs[kind].append(
                        pages.measure(name if kind == "page" else api.name, who, result)
                    )
                measured_page, measured_api = _mean(runs["page"]), _mean(runs["api"])
                ratio = round(measured_api.rps / measured_page.rps, 2)
                print(
                    f"-- {name} ({who}): page {measured_page.rps} req/s, "
                    f"API {measured_api.rps} req/s ({ratio:.0%})",
                    flush=True,
                )
                rows += [measured_page, measured_api]
                comparisons.append({"read": name, "who": who, "api_vs_page_rps": ratio})
    finally:
        server.stop()

    pages.print_table(rows)
    worst = min(c["api_vs_page_rps"] for c in comparisons)
    summary = {
        "backend": args.backend,
        "scale": "small" if args.small else "full",
        "workers": args.workers,
        "worker_class": f"gthread, {args.threads} threads",
        "connections": args.connections,
        "seconds_per_run": args.duration,
        "target_api_vs_page_rps": TARGET,
        "worst_api_vs_page_rps": worst,
        "comparisons": comparisons,
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
        "runs": [asdict(r) for r in rows],
    }
    print(f"\nworst API / page requests per second: {worst:.0%} (target {TARGET:.0%})")
    out = pages.RESULTS / f"api-{args.backend}{'-small' if args.small else ''}.json"
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"written to {out.relative_to(pages.ROOT)}")


def _mean(measured: list) -> "pages.Measurement":
    """Two runs as one: requests added, rates and latencies averaged."""
    first, second = measured
    return pages.Measurement(
        name=first.name,
        who=first.who,
        requests=first.requests + second.requests,
        rps=round((first.rps + second.rps) / 2, 1),
        p50_ms=round((first.p50_ms + second.p50_ms) / 2, 1),
        p95_ms=round((first.p95_ms + second.p95_ms) / 2, 1),
        p99_ms=round((first.p99_ms + second.p99_ms) / 2, 1),
        errors=first.errors + second.errors,
    )


def warm(base: str, paths: list[str], headers: list[str]) -> None:
    import urllib.request

    extra = dict(header.split(": ", 1) for header in headers)
    for _ in range(4):
        for path in paths:
            with urllib.request.urlopen(
                urllib.request.Request(base + path, headers=extra), timeout=60
            ) as response:
                response.read()


def drive_with_headers(base: str, scenario, headers: list[str], args) -> dict:
    """pages.drive, with the token's header instead of a cookie."""
    command = ["wrk", "-t", "1", "-c", str(args.connections), "-d", f"{args.duration}s"]
    command += ["--timeout", "10s", "-s", str(pages.LUA), "-H", "Connection: close"]
    for header in headers:
        command += ["-H", header]
    command += [base, "--", *scenario.paths]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
