"""Page benchmark: the portal under load from a second process, page by page.

Starts the portal with gunicorn (2 workers, gthread worker class with 4 threads each: the
`make run` setup) on a loopback port against a generated database, warms up, then drives each
page with wrk (Debian's `wrk`, C, from a second process) for a bounded time and reports p50, p95
and p99 latency and requests per second, as anonymous visitors and logged in (three pages also
at the load the peers were measured with, `wrk -t2 -c8`: rows named "-c8"), plus two writes
(post an answer, vote on an idea), the peak resident memory of each worker, and the floor: a
bare Flask view (bench/floor.py) rendering the same question page with one hand-written query.
The "first view" rows request question and idea pages no worker has kept (3,000 of each, each
about once): what a page costs the first time a worker serves it after the community changed.

Usage:
    .venv/bin/python bench/pages.py [--backend sqlite|postgresql] [--duration 10]
        [--connections 4] [--only NAME[,NAME]] [--regenerate] [--small]

The database is generated once per backend with `flask demo generate` (100,000 questions,
about 300,000 answers, 20,000 ideas, 1,000,000 votes; `--small` for a tenth of that) and kept in
bench/.data/ (SQLite) or the PostgreSQL database `bench_pages_full` (`bench_pages_small`);
`--regenerate` makes it again.
Results: a table on stdout and bench/results/pages-<backend>.json.
"""

import argparse
import html
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import generated  # bench/generated.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "wrk" / "paths.lua"
PASSWORD = "demo password 1"
FULL = ["--users", "50000", "--questions", "100000", "--answers-per-question", "3"]
FULL += ["--ideas", "20000", "--votes", "1000000"]
SMALL = ["--users", "5000", "--questions", "10000", "--answers-per-question", "3"]
SMALL += ["--ideas", "2000", "--votes", "100000"]
SEARCHES = [
    "brake pads",
    "tubeless tire",
    "espresso grind",
    "sync",
    "invoice",
    '"dark mode"',
    "tag:ios",
    "chain lube wet",
    "export report",
    "no such thing zzqx",
]


@dataclass
class Scenario:
    name: str
    paths: list[str]
    who: str = "anonymous"  # anonymous | member | product
    method: str = "GET"
    body: str | None = None
    written: str | None = None  # SQL counting what a successful write adds, to check the writes
    warm: bool = True  # False: pages no worker has kept, each requested about once
    peer_load: bool = False  # wrk -t2 -c8, the load the peer products were measured with


@dataclass
class Measurement:
    name: str
    who: str
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    extra: dict = field(default_factory=dict)


# -- the database --------------------------------------------------------------------------


def environment(backend: str, small: bool) -> dict:
    scale = "small" if small else "full"
    return generated.environment(f"pages-{backend}-{scale}", backend, f"bench_pages_{scale}")


def sample_ids(env: dict) -> dict[str, list]:
    """Ids to spread the requests over: questions with 3 and with 50+ answers, ideas."""
    from sqlalchemy import create_engine, text

    engine = create_engine(env["PORTAL_DATABASE_URL"])
    with engine.connect() as c:

        def ids(sql: str) -> list:
            return [row[0] for row in c.execute(text(sql))]

        found = {
            "three": ids(
                "SELECT id FROM questions WHERE answer_count = 3 AND deleted_at IS NULL "
                "ORDER BY id DESC LIMIT 200"
            ),
            "fifty": ids(
                "SELECT id FROM questions WHERE answer_count >= 50 AND deleted_at IS NULL "
                "ORDER BY answer_count LIMIT 20"
            ),
            "ideas": ids(
                "SELECT id FROM ideas WHERE status <> 'merged' ORDER BY vote_count DESC LIMIT 100"
            )
            + ids("SELECT id FROM ideas WHERE status <> 'merged' ORDER BY id DESC LIMIT 100"),
            "three_unseen": ids(
                "SELECT id FROM questions WHERE answer_count = 3 AND deleted_at IS NULL "
                "ORDER BY id DESC LIMIT 3000 OFFSET 200"
            ),
            "ideas_unseen": ids(
                "SELECT id FROM ideas WHERE status <> 'merged' ORDER BY id DESC "
                "LIMIT 3000 OFFSET 100"
            ),
            "open_ideas": ids(
                "SELECT id FROM ideas WHERE status IN ('new', 'under_review') "
                "ORDER BY id DESC LIMIT 200"
            ),
            "unanswered_pages": ids(
                "SELECT COUNT(*) FROM questions WHERE answer_count = 0 AND closed_at IS NULL "
                "AND deleted_at IS NULL"
            ),
        }
    engine.dispose()
    warm_ideas = set(found["ideas"])
    found["ideas_unseen"] = [i for i in found["ideas_unseen"] if i not in warm_ideas]
    return found


def scenarios(ids: dict) -> list[Scenario]:
    three = [f"/questions/{i}" for i in ids["three"]]
    fifty = [f"/questions/{i}" for i in ids["fifty"]]
    ideas = [f"/ideas/{i}" for i in ids["ideas"]]
    deep_unanswered = min(500, max(1, ids["unanswered_pages"][0] // 30))
    searches = ["/search?" + urllib.parse.urlencode({"q": q}) for q in SEARCHES]
    # The ask form's JSON as someone types a title (the word match and the semantic score).
    similar_items = [
        "/search/similar?" + urllib.parse.urlencode({"q": q, "type": "any"})
        for q in generated.TYPED
    ]
    reads = [
        Scenario("home", ["/"]),
        *(
            Scenario(f"questions {tab} p1", [f"/questions?tab={tab}"])
            for tab in ("newest", "active", "unanswered", "solved")
        ),
        *(
            Scenario(f"questions {tab} p500", [f"/questions?tab={tab}&page={page}"])
            for tab, page in (
                ("newest", 500),
                ("active", 500),
                ("unanswered", deep_unanswered),
                ("solved", 500),
            )
        ),
        Scenario("question (3 answers)", three),
        Scenario(
            "question (3 answers) first view",
            [f"/questions/{i}" for i in ids["three_unseen"]],
            warm=False,
        ),
        Scenario("question (50+ answers)", fifty),
        Scenario("ideas top", ["/ideas"]),
        Scenario("ideas trending", ["/ideas?sort=trending"]),
        Scenario("idea page", ideas),
        Scenario("idea page first view", [f"/ideas/{i}" for i in ids["ideas_unseen"]], warm=False),
        Scenario("roadmap", ["/roadmap"]),
        Scenario("search", searches),
        Scenario("similar items", similar_items),
    ]
    logged_in = [replace(s, who="member") for s in reads]
    peer_pages = ("questions newest p1", "question (3 answers)", "ideas top", "idea page")
    at_peer_load = [
        replace(s, name=f"{s.name} -c8", who=who, peer_load=True)
        for s in reads
        if s.name in peer_pages
        for who in ("anonymous", "member")
    ]
    writes = [
        Scenario(
            "post an answer",
            [f"/questions/{i}/answers" for i in ids["three"]],
            who="member",
            method="POST",
            body="body=A+benchmark+answer+number+{n}%2C+long+enough+to+pass+the+form.",
            written="SELECT COUNT(*) FROM answers",
        ),
        Scenario(
            "vote on an idea",
            [f"/ideas/{i}/vote" for i in ids["open_ideas"]],
            who="member",
            method="POST",
            body="n={n}",
            written="SELECT COUNT(*) FROM activity_events "
            "WHERE kind IN ('idea.voted', 'idea.unvoted')",
        ),
    ]
    insights = [Scenario("insights dashboard", ["/insights"], who="product")]
    return reads + logged_in + at_peer_load + insights + writes


def count_rows(env: dict, sql: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(env["PORTAL_DATABASE_URL"])
    with engine.connect() as connection:
        count = connection.execute(text(sql)).scalar_one()
    engine.dispose()
    return count


# -- the servers ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on a loopback port; stopped on exit."""

    def __init__(self, app: str, env: dict, workers: int, threads: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [
            str(BIN / "gunicorn"),
            "--workers", str(workers),
            "--worker-class", "gthread",
            "--threads", str(threads),
            "--bind", f"127.0.0.1:{self.port}",
            "--log-level", "warning",
            app,
        ]  # fmt: skip
        # gunicorn.conf.py's settings and worker hooks, without its access log
        env = {**env, "GUNICORN_ACCESS_LOG": ""}
        self.process = subprocess.Popen(command, env=env, cwd=ROOT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/", timeout=5).read()
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.3)
        raise RuntimeError(f"{app} did not start on {self.base}")

    def worker_memory(self) -> list[dict]:
        """Per worker: peak resident memory (VmHWM), and the resident memory at the end, apart
        into anonymous (the heap) and file-backed (mapped index and library files) pages."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        workers = []
        for pid in children.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            fields = dict(re.findall(r"(VmHWM|RssAnon|RssFile):\s+(\d+) kB", status))
            if "VmHWM" in fields:
                workers.append(
                    {
                        "peak": round(int(fields["VmHWM"]) / 1024, 1),
                        "anon_at_end": round(int(fields.get("RssAnon", 0)) / 1024, 1),
                        "file_at_end": round(int(fields.get("RssFile", 0)) / 1024, 1),
                    }
                )
        return workers

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def log_in(base: str, email: str) -> tuple[str, str]:
    """Log in through the real form; returns (Cookie header value, CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = html.unescape(re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1))
    form = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
    opener.open(base + "/login", data=form.encode()).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    page = opener.open(base + "/ideas").read().decode()
    token = html.unescape(re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1))
    return cookie, token


def sets_cookie_again(base: str, cookie: str, path: str) -> bool:
    """Whether a signed-in member's second visit to a page still sets a cookie (it should
    not: a page that writes the session on every visit cannot be kept by anyone). The first
    visit may set one (a question's first view is remembered in the session), which the
    second then sends, as a browser would."""
    first = urllib.request.urlopen(_with_cookie(base + path, cookie), timeout=60)
    first.read()
    if renewed := first.headers.get("Set-Cookie"):
        cookie = renewed.split(";", 1)[0]
    with urllib.request.urlopen(_with_cookie(base + path, cookie), timeout=60) as response:
        return response.headers.get("Set-Cookie") is not None


def _with_cookie(url: str, cookie: str) -> urllib.request.Request:
    return urllib.request.Request(url, headers={"Cookie": cookie})


# -- driving the load ----------------------------------------------------------------------


def drive(base: str, scenario: Scenario, cookie: str | None, token: str | None, args) -> dict:
    """Run wrk on one scenario. Each request comes on a connection of its own, as requests
    from many visitors do, so the workers share the load: with four kept-alive connections
    all four sometimes landed on one worker for a whole scenario (its page then ran at half
    the rate and twice the latency of a run where they split)."""
    env = {**os.environ, "BENCH_METHOD": scenario.method}
    if scenario.body is not None:
        env["BENCH_BODY"] = f"csrf_token={urllib.parse.quote(token or '')}&{scenario.body}"
    threads, connections = (2, 8) if scenario.peer_load else (1, args.connections)
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{args.duration}s"]
    command += ["--timeout", "10s", "-s", str(LUA), "-H", "Connection: close"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command += [base, "--", *scenario.paths]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def warm_up(base: str, items: list[Scenario], cookies: dict) -> None:
    """Request each scenario's paths four times: each worker then has most of them warm,
    whichever worker takes a connection. With five paths twice, half the searches reached a
    worker for the first time in the measured run, and whichever search scenario came first
    paid for it (anonymous p95 391 ms, members 27). With the first 20 paths only, the 180
    other question and idea pages came to each worker for the first time in the measured run:
    one request in seven, and their p95 was that of a first view (the "first view" rows
    measure it on purpose). Each scenario is warmed just before it runs: pages warmed at the
    start had expired (a kept page lasts a minute) by the time their scenario came."""
    for scenario in items:
        if scenario.method != "GET" or not scenario.warm:
            continue
        for path in scenario.paths:
            request = urllib.request.Request(base + path)
            if cookies.get(scenario.who):
                request.add_header("Cookie", cookies[scenario.who][0])
            for _ in range(4):
                urllib.request.urlopen(request, timeout=60).read()


def measure(name: str, who: str, result: dict) -> Measurement:
    seconds = result["duration_us"] / 1e6
    errors = sum(result[k] for k in result if k.endswith("errors")) + result["timeouts"]
    return Measurement(
        name=name,
        who=who,
        requests=result["requests"],
        rps=round(result["requests"] / seconds, 1),
        p50_ms=round(result["p50_us"] / 1000, 1),
        p95_ms=round(result["p95_us"] / 1000, 1),
        p99_ms=round(result["p99_us"] / 1000, 1),
        errors=errors,
        extra={k: result[k] for k in result if k.endswith(("errors", "timeouts")) and result[k]},
    )


def print_table(rows: list[Measurement]) -> None:
    print(f"\n{'page':32} {'as':10} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} errors")
    for row in rows:
        print(
            f"{row.name:32} {row.who:10} {row.rps:8.1f} {row.p50_ms:8.1f} {row.p95_ms:8.1f} "
            f"{row.p99_ms:8.1f} {row.errors:6d}"
        )


def index_search_once(env: dict) -> None:
    """Build the search index of the generated community once (the generator leaves it empty),
    then apply whatever was written since, so the search page searches every post."""
    marker = Path(env["PORTAL_INSTANCE_DIR"]) / "search-indexed"
    flask = str(BIN / "flask")
    if not marker.exists():
        subprocess.run([flask, "search", "rebuild"], env=env, check=True, cwd=ROOT)
        marker.write_text("rebuilt\n")
    subprocess.run([flask, "search", "sync"], env=env, check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--small", action="store_true", help="a tenth of the full size")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    env = environment(args.backend, args.small)
    generated.generate_once(env, SMALL if args.small else FULL, regenerate=args.regenerate)
    index_search_once(env)
    ids = sample_ids(env)
    chosen = scenarios(ids)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        chosen = [s for s in chosen if s.name in wanted or s.who in wanted]

    results: list[Measurement] = []
    server = Server("wsgi:app", env, args.workers, args.threads)
    try:
        cookies = {
            "member": log_in(server.base, "member@example.com"),
            "product": log_in(server.base, "product@example.com"),
        }
        repeat_sets_cookie = {
            path: sets_cookie_again(server.base, cookies["member"][0], path)
            for path in ("/", "/questions", f"/questions/{ids['three'][0]}", "/ideas")
        }
        print(f"a member's repeat GET sets a cookie: {repeat_sets_cookie}", flush=True)
        for scenario in chosen:
            cookie, token = cookies.get(scenario.who, (None, None))
            print(f"-- {scenario.name} ({scenario.who})", flush=True)
            warm_up(server.base, [scenario], cookies)
            before = count_rows(env, scenario.written) if scenario.written else 0
            result = measure(
                scenario.name, scenario.who, drive(server.base, scenario, cookie, token, args)
            )
            if scenario.written:
                time.sleep(1)  # let the last responses' commits land
                result.extra["rows_written"] = count_rows(env, scenario.written) - before
                if result.extra["rows_written"] < result.requests:
                    print(f"   only {result.extra['rows_written']} of {result.requests} wrote")
            peaks = [worker["peak"] for worker in server.worker_memory()]
            result.extra["worker_peaks_mb"] = peaks  # which page raised a worker's peak
            print(f"   worker peaks so far (MB): {peaks}", flush=True)
            results.append(result)
        memory = server.worker_memory()
    finally:
        server.stop()

    floor = None
    if not args.only or "floor" in args.only:
        floor_server = Server("bench.floor:app", env, args.workers, args.threads)
        try:
            paths = [f"/questions/{i}" for i in ids["three"]]
            warm_up(floor_server.base, [Scenario("floor", paths)], {})
            result = drive(floor_server.base, Scenario("floor", paths), None, None, args)
            floor = measure("floor: bare question page", "anonymous", result)
            results.append(floor)
        finally:
            floor_server.stop()

    print_table(results)
    ours = next(
        (r for r in results if r.name == "question (3 answers)" and r.who == "anonymous"), None
    )
    summary = {
        "backend": args.backend,
        "scale": "small" if args.small else "full",
        "workers": args.workers,
        "worker_class": f"gthread, {args.threads} threads",
        "connections": args.connections,
        "seconds_per_page": args.duration,
        "worker_peak_rss_mb": memory,
        "member_repeat_get_sets_cookie": repeat_sets_cookie,
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
        "pages": [asdict(r) for r in results],
    }
    print(f"\nworker peak RSS (MB): {[worker['peak'] for worker in memory]}")
    print(f"workers at the end (MB): {memory}")
    if floor and ours:
        summary["question_page_vs_floor"] = {
            "p50_ratio": round(ours.p50_ms / floor.p50_ms, 2),
            "rps_ratio": round(ours.rps / floor.rps, 2),
        }
        print(
            f"question page vs floor: p50 {ours.p50_ms} ms vs {floor.p50_ms} ms "
            f"({ours.p50_ms / floor.p50_ms:.1f}x), {ours.rps} vs {floor.rps} req/s"
        )
    RESULTS.mkdir(exist_ok=True)
    suffix = ("-small" if args.small else "") + ("-only" if args.only else "")  # keep full runs
    out = RESULTS / f"pages-{args.backend}{suffix}.json"
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
