"""Programmes at scale: roster import and the reach report for 50,000 participants, on SQLite
and PostgreSQL, each beside an anchor that does the same work with no framework.

For each database, in a fresh ``PUHUI_HOME``:

1. ``puhui hub init``, ``puhui programme new Bench --org bench``, then the wall time of ``python
   -m puhui programme roster import bench ROSTER.csv`` (a 50,000-row CSV from
   :func:`puhui.programmes.synthetic.roster`, written by
   :func:`puhui.programmes.roster.write_roster`; goal < 30 s), of the same import again (every
   row unchanged) and of ``programme attendance import`` of 3 sessions, one file each (150,000
   marks from :func:`puhui.programmes.synthetic.attendance`). The anchor, the *floor*: the same
   CSV read with the ``csv`` module and inserted with ``sqlite3`` ``executemany`` (PostgreSQL:
   psycopg ``executemany`` and ``COPY``) into tables shaped like the hub's (same columns and
   unique indexes), people then enrolments; and the attendance file the same way into a
   mark-shaped table. Printed: Puhui / floor. The Puhui times are whole commands (a new Python
   process, Django set-up); the start-up alone (``puhui programme list``) is printed beside
   them.
2. ``puhui hub serve``, a member of ``bench`` signed in through ``/signin/`` with httpx, then
   ``GET /programmes/bench/bench/reach/`` 2 times to warm up and 30 times timed (p50 / p95; goal
   p95 < 200 ms), and ``reach.csv`` once. The anchor: the same gender × country
   cross-tabulation (enrolled, attended, completed under the default 2/3 rule) as one plain
   SQL ``GROUP BY`` on the hub database, no suppression, through the bare driver; printed: the
   page's time / the query's.

Usage (repository root, venv)::

    .venv/bin/python bench/programme_scale.py --db sqlite
    scripts/with-postgres .venv/bin/python bench/programme_scale.py --write   # both databases
    .venv/bin/python bench/programme_scale.py --db sqlite --profile           # where time goes

PostgreSQL uses ``PUHUI_TEST_POSTGRES_URL`` (or ``--pg-url``) and **drops its public schema
first**: point it at a throwaway database (``scripts/with-postgres`` makes one). ``--write``
replaces the section "## Programmes at scale" of ``bench/RESULTS.md``. Nothing here asserts
timings; it prints tables.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Programmes at scale"
READING = "### Reading\n"
PASSWORD = "bench-pass-5813-programmes"
MEMBER = "bench-member"
SESSIONS = ("Session 1", "Session 2", "Session 3")
PERSON_COLS = (
    "org_id", "key", "name", "email", "phone", "country", "organisation", "role", "sector",
    "gender", "age_band", "consent", "guardian_consent", "uid", "created",
)  # fmt: skip

# --------------------------------------------------------------------------- environment


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hub_file(home: Path) -> Path:
    """The hub's SQLite database under ``home`` (the default ``PUHUI_HUB_DATABASE_URL``)."""
    path = home / "hub" / "hub.sqlite3"
    if not path.exists():
        raise SystemExit(f"no hub database at {path}")
    return path


def bench_env(home: Path, db: str, pg_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update(PUHUI_HOME=str(home), COLUMNS="200")
    if db == "postgres":
        env["PUHUI_HUB_DATABASE_URL"] = pg_url
    return env


def fresh_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> float:
    """Run ``python -m puhui ARGS``; its wall time in seconds (exits on failure)."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "puhui", *args],
        env=env, input=stdin, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"puhui {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return took


def write_files(home: Path, n: int) -> tuple[Path, list[Path], int]:
    from puhui.programmes import synthetic
    from puhui.programmes.roster import write_roster

    people = synthetic.roster(n)
    roster = home / "roster.csv"
    write_roster(people, roster)
    email_of = {p.key: p.email for p in people}
    marks = synthetic.attendance(people, SESSIONS)
    # one file per session: a file holds at most 100,000 rows (the reader's bound)
    files = []
    for i, session in enumerate(SESSIONS, 1):
        files.append(home / f"attendance-{i}.csv")
        with files[-1].open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["email", "session", "present"])
            for m in marks:
                if m.session == session:
                    w.writerow([email_of[m.key], m.session, "yes" if m.present else "no"])
    return roster, files, len(marks)


# --------------------------------------------------------------------------- the floors


def _read_people(path: Path) -> list[tuple[Any, ...]]:
    now = datetime.now(UTC).isoformat()
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            rows.append(
                (
                    1,
                    "mailto:" + r["email"].lower(),
                    r["name"],
                    r["email"],
                    "",
                    r["country"],
                    r["organisation"],
                    r["role"],
                    "",
                    r["gender"],
                    r["age_band"],
                    r["consent"] == "yes",
                    False,
                    uuid.uuid4().hex,
                    now,
                )
            )
    return rows


def _read_marks(paths: list[Path], enrolment_of: dict[str, int]) -> list[tuple[Any, ...]]:
    now = datetime.now(UTC).isoformat()
    session_id = {s: i + 1 for i, s in enumerate(SESSIONS)}
    marks = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as f:
            marks += [
                (
                    session_id[r["session"]],
                    enrolment_of["mailto:" + r["email"].lower()],
                    r["present"] == "yes",
                    None,
                    now,
                )
                for r in csv.DictReader(f)
            ]
    return marks


def floor_sqlite(home: Path, roster: Path, attendance: list[Path]) -> dict[str, float]:
    """csv + sqlite3 executemany into tables shaped like the hub's (same DDL, same indexes)."""
    hub = sqlite3.connect(hub_file(home))
    ddl = {
        name: [s for (s,) in hub.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
            "ORDER BY type DESC", (name,)  # 'table' before 'index'
        )]
        for name in ("programmes_person", "programmes_enrolment", "programmes_mark")
    }  # fmt: skip
    hub.close()
    path = home / "floor.sqlite3"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    for stmts in ddl.values():
        for s in stmts:
            db.execute(s)
    t0 = time.perf_counter()
    rows = _read_people(roster)
    with db:
        db.executemany(
            f"INSERT INTO programmes_person ({', '.join(PERSON_COLS)}) "
            f"VALUES ({', '.join('?' * len(PERSON_COLS))})",
            rows,
        )
        db.execute(
            "INSERT INTO programmes_enrolment (cohort_id, person_id, role, project_accepted) "
            "SELECT 1, id, 'participant', 0 FROM programmes_person"
        )
    roster_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    enrolment_of = dict(
        db.execute(
            "SELECT p.key, e.id FROM programmes_enrolment e "
            "JOIN programmes_person p ON p.id = e.person_id"
        )
    )
    marks = _read_marks(attendance, enrolment_of)
    with db:
        db.executemany(
            "INSERT INTO programmes_mark (session_id, enrolment_id, present, marked_by_id, at) "
            "VALUES (?, ?, ?, ?, ?)",
            marks,
        )
    attendance_s = time.perf_counter() - t0
    db.close()
    path.unlink()
    return {"roster": roster_s, "attendance": attendance_s}


def floor_postgres(url: str, roster: Path, attendance: list[Path]) -> dict[str, float]:
    """csv + psycopg executemany, and COPY, into LIKE-copies of the hub's tables."""
    import psycopg

    out: dict[str, float] = {}
    names = ("programmes_person", "programmes_enrolment", "programmes_mark")
    with psycopg.connect(url, autocommit=True) as conn:
        for how in ("executemany", "copy"):
            for n in names:
                conn.execute(f"DROP TABLE IF EXISTS floor_{n}")
                conn.execute(f"CREATE TABLE floor_{n} (LIKE {n} INCLUDING ALL)")
            t0 = time.perf_counter()
            rows = _read_people(roster)
            with conn.transaction(), conn.cursor() as cur:
                if how == "copy":
                    cols = ", ".join(PERSON_COLS)
                    with cur.copy(f"COPY floor_programmes_person ({cols}) FROM STDIN") as cp:
                        for r in rows:
                            cp.write_row(r)
                else:
                    cur.executemany(
                        f"INSERT INTO floor_programmes_person ({', '.join(PERSON_COLS)}) "
                        f"VALUES ({', '.join(['%s'] * len(PERSON_COLS))})",
                        rows,
                    )
                cur.execute(
                    "INSERT INTO floor_programmes_enrolment "
                    "(cohort_id, person_id, role, project_accepted) "
                    "SELECT 1, id, 'participant', false FROM floor_programmes_person"
                )
            out[f"roster_{how}"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            enrolment_of: dict[str, int] = dict(
                conn.execute(
                    "SELECT p.key, e.id FROM floor_programmes_enrolment e "
                    "JOIN floor_programmes_person p ON p.id = e.person_id"
                ).fetchall()
            )
            marks = _read_marks(attendance, enrolment_of)
            with conn.transaction(), conn.cursor() as cur:
                cols = "session_id, enrolment_id, present, marked_by_id, at"
                if how == "copy":
                    with cur.copy(f"COPY floor_programmes_mark ({cols}) FROM STDIN") as cp:
                        for m in marks:
                            cp.write_row(m)
                else:
                    cur.executemany(
                        f"INSERT INTO floor_programmes_mark ({cols}) VALUES (%s, %s, %s, %s, %s)",
                        marks,
                    )
            out[f"attendance_{how}"] = time.perf_counter() - t0
        for n in names:
            conn.execute(f"DROP TABLE IF EXISTS floor_{n}")
    out["roster"] = min(out["roster_executemany"], out["roster_copy"])
    out["attendance"] = min(out["attendance_executemany"], out["attendance_copy"])
    return out


# --------------------------------------------------------------------------- the report

# gender × country for the programme's one cohort: enrolled, attended (≥ 1 session), completed
# (attended ≥ 2/3 of the sessions held: the default rule), straight from the hub's tables
CROSSTAB = """
SELECT p.gender, p.country, COUNT(*) AS enrolled,
       SUM(CASE WHEN a.att > 0 THEN 1 ELSE 0 END) AS attended,
       SUM(CASE WHEN 3 * a.att >= 2 * s.n THEN 1 ELSE 0 END) AS completed
FROM (SELECT e.person_id, SUM(CASE WHEN m.present THEN 1 ELSE 0 END) AS att
      FROM programmes_enrolment e LEFT JOIN programmes_mark m ON m.enrolment_id = e.id
      WHERE e.cohort_id = {cohort} AND e.role = 'participant'
      GROUP BY e.person_id) a
JOIN programmes_person p ON p.id = a.person_id
CROSS JOIN (SELECT COUNT(*) AS n FROM programmes_session WHERE cohort_id = {cohort}) s
GROUP BY p.gender, p.country
"""


def crosstab(db: str, home: Path, pg_url: str, runs: int) -> tuple[list[float], list[Any]]:
    if db == "sqlite":
        conn: Any = sqlite3.connect(hub_file(home))
    else:
        import psycopg

        conn = psycopg.connect(pg_url, autocommit=True)
    try:
        (cohort,) = conn.execute("SELECT id FROM programmes_cohort WHERE slug = 'bench'").fetchone()
        sql = CROSSTAB.format(cohort=int(cohort))
        rows = conn.execute(sql).fetchall()  # warm-up
        conn.execute(sql).fetchall()
        times = []
        for _i in range(runs):
            t0 = time.perf_counter()
            rows = conn.execute(sql).fetchall()
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        conn.close()
    return times, rows


class Server:
    def __init__(self, env: dict[str, str], home: Path) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log = (home / "serve.log").open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "puhui", "hub", "serve", "--port", self.url.rsplit(":", 1)[1]],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(self.url + "/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"hub serve exited; see {home / 'serve.log'}")
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"hub serve did not answer in 60 s; see {home / 'serve.log'}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def sign_in(client: httpx.Client) -> None:
    page = client.get("/signin/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not token:
        raise SystemExit("no CSRF token on /signin/")
    r = client.post(
        "/signin/",
        data={"username": MEMBER, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    if r.status_code not in (200, 302) or "sessionid" not in client.cookies:
        raise SystemExit(f"sign in as {MEMBER} failed: HTTP {r.status_code}")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def report(env: dict[str, str], home: Path, requests: int) -> dict[str, Any]:
    cli(env, "hub", "createuser", MEMBER, "--org", "bench", "--role", "member",
        "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    server = Server(env, home)
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            sign_in(client)
            page = "/programmes/bench/bench/reach/"
            first_ms = 0.0
            for i in range(2):  # the first computes the table (nothing cached yet)
                t0 = time.perf_counter()
                r = client.get(page)
                if i == 0:
                    first_ms = (time.perf_counter() - t0) * 1000
                if r.status_code != 200:
                    raise SystemExit(f"GET {page}: HTTP {r.status_code}")
            times = []
            for _i in range(requests):
                t0 = time.perf_counter()
                r = client.get(page)
                times.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    raise SystemExit(f"GET {page}: HTTP {r.status_code}")
            size = len(r.content)
            t0 = time.perf_counter()
            c = client.get("/programmes/bench/bench/reach.csv")
            csv_ms = (time.perf_counter() - t0) * 1000
            if c.status_code != 200:
                raise SystemExit(f"GET reach.csv: HTTP {c.status_code}")
    finally:
        server.stop()
    return {"page": times, "page_bytes": size, "csv_ms": csv_ms, "csv": c.text,
            "first_ms": first_ms}  # fmt: skip


# --------------------------------------------------------------------------- one database


def vendor_version(db: str, pg_url: str) -> str:
    if db == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        assert row is not None
        return "PostgreSQL " + str(row[0]).split()[0]


def run_db(db: str, args: argparse.Namespace) -> dict[str, Any]:
    home = Path(args.home) / db
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    if db == "postgres":
        fresh_postgres(args.pg_url)
    env = bench_env(home, db, args.pg_url)
    res: dict[str, Any] = {"db": db, "version": vendor_version(db, args.pg_url), "n": args.n}
    print(f"# {db} ({res['version']}): {args.n:,} participants", file=sys.stderr, flush=True)
    cli(env, "hub", "init")
    cli(env, "programme", "new", "Bench", "--org", "bench")
    roster, attendance, n_marks = write_files(home, args.n)
    res["marks"] = n_marks
    res["startup"] = min(cli(env, "programme", "list") for _i in range(3))
    res["import"] = cli(env, "programme", "roster", "import", "bench", str(roster))
    print(f"  roster import {res['import']:.1f} s", file=sys.stderr, flush=True)
    res["reimport"] = cli(env, "programme", "roster", "import", "bench", str(roster))
    res["attendance"] = sum(
        cli(env, "programme", "attendance", "import", "bench", str(f)) for f in attendance
    )
    print(f"  attendance import {res['attendance']:.1f} s", file=sys.stderr, flush=True)
    if db == "sqlite":
        res["floor"] = floor_sqlite(home, roster, attendance)
    else:
        res["floor"] = floor_postgres(args.pg_url, roster, attendance)
    res.update(report(env, home, args.requests))
    res["sql"], rows = crosstab(db, home, args.pg_url, args.requests)
    res["sql_enrolled"] = sum(r[2] for r in rows)
    res["sql_completed"] = sum(int(r[4]) for r in rows)
    res["sql_cells"] = len(rows)
    return res


# --------------------------------------------------------------------------- profile


def profile(args: argparse.Namespace) -> None:
    """cProfile the import and the reach page's work in process, on a fresh SQLite hub."""
    import cProfile
    import pstats

    home = Path(args.home) / "profile"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = bench_env(home, "sqlite", "")
    cli(env, "hub", "init")
    cli(env, "programme", "new", "Bench", "--org", "bench")
    roster, attendance, _n = write_files(home, args.n)
    os.environ.update(env)
    from puhui import hub

    hub.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from puhui.hub.programmes import report as page
    from puhui.hub.programmes import service

    cohort = service.find_cohort("bench")
    steps = [
        ("roster import", lambda: service.import_roster(cohort, roster)),
        ("roster re-import", lambda: service.import_roster(cohort, roster)),
        *(
            (f"attendance import {f.name}", lambda f=f: service.import_attendance(cohort, f))
            for f in attendance
        ),
        ("reach page context", lambda: page.context(cohort.programme)),
    ]
    for name, fn in steps:
        prof = cProfile.Profile()
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            prof.enable()
            fn()
            prof.disable()
            took = time.perf_counter() - t0
        print(f"\n## {name}: {took:.2f} s, {len(ctx.captured_queries)} SQL queries")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


# --------------------------------------------------------------------------- output


def fmt_s(s: float) -> str:
    return f"{s:.1f}" if s >= 1 else f"{s:.2f}"


def _floor(r: dict[str, Any], what: str) -> str:
    f = r["floor"]
    if r["db"] == "sqlite":
        return f"{fmt_s(f[what])} s"
    return f"{fmt_s(f[what + '_copy'])} s COPY, {fmt_s(f[what + '_executemany'])} s executemany"


def _ms(values: list[float]) -> str:
    return f"{pct(values, 0.5):.0f} / {pct(values, 0.95):.0f}"


def table(results: list[dict[str, Any]]) -> str:
    n, marks, k = results[0]["n"], results[0]["marks"], len(results[0]["page"])
    rows: list[tuple[str, Any]] = [
        ("CLI start-up (`programme list`, best of 3)", lambda r: f"{fmt_s(r['startup'])} s"),
        (
            f"**roster import**, {n:,} new people (goal < 30 s)",
            lambda r: f"**{fmt_s(r['import'])} s**",
        ),
        ("floor: csv + driver insert (people + enrolments)", lambda r: _floor(r, "roster")),
        (
            "ratio import / fastest floor",
            lambda r: f"{r['import'] / r['floor']['roster']:.1f}×",
        ),
        ("roster re-import, all unchanged", lambda r: f"{fmt_s(r['reimport'])} s"),
        (
            f"attendance import, {len(SESSIONS)} files of one session ({marks:,} marks)",
            lambda r: f"{fmt_s(r['attendance'])} s",
        ),
        ("floor: csv + driver insert (marks)", lambda r: _floor(r, "attendance")),
        (
            "ratio attendance / fastest floor",
            lambda r: f"{r['attendance'] / r['floor']['attendance']:.1f}×",
        ),
        (
            f"**reach page** p50 / p95 ms, {k} requests (goal p95 < 200 ms)",
            lambda r: f"{pct(r['page'], 0.5):.0f} / **{pct(r['page'], 0.95):.0f}**",
        ),
        (
            "reach page, first view after a change (table computed, not cached)",
            lambda r: f"{r['first_ms']:.0f} ms",
        ),
        ("reach.csv, once", lambda r: f"{r['csv_ms']:.0f} ms"),
        ("anchor: SQL GROUP BY, p50 / p95 ms", lambda r: _ms(r["sql"])),
        (
            "ratio page / SQL (p50)",
            lambda r: f"{pct(r['page'], 0.5) / pct(r['sql'], 0.5):.2f}×",
        ),
        (
            "SQL check: cells, enrolled, completed",
            lambda r: f"{r['sql_cells']}, {r['sql_enrolled']:,}, {r['sql_completed']:,}",
        ),
    ]
    lines = [
        "| measure | " + " | ".join(r["version"] for r in results) + " |",
        "| --- |" + " --- |" * len(results),
    ]
    lines += [f"| {name} | " + " | ".join(fn(r) for r in results) + " |" for name, fn in rows]
    return "\n".join(lines)


def machine() -> str:
    import django

    cores = os.cpu_count()
    return (
        f"{platform.machine()}, {cores} cores shared with other jobs (timings noisy, ±30 %), "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"httpx {httpx.__version__}; client, `puhui hub serve` (waitress, 8 threads) and the "
        "database on the same cores."
    )


def write_section(text: str) -> None:
    """Replace the section (its "### Reading", written by a person, is kept as it is)."""
    doc = RESULTS.read_text(encoding="utf-8")
    start = doc.find(SECTION + "\n")
    if start < 0:
        doc = doc.rstrip("\n") + "\n\n" + text + READING + "\n(to be written)\n"
    else:
        nxt = doc.find("\n## ", start + len(SECTION))
        end = len(doc) if nxt < 0 else nxt + 1
        old = doc[start:end]
        kept = old[old.index(READING) :] if READING in old else READING + "\n(to be written)\n"
        doc = doc[:start] + text + kept.rstrip("\n") + "\n" + ("\n" + doc[end:] if nxt >= 0 else "")
    RESULTS.write_text(doc, encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--n", type=int, default=50_000, help="participants")
    p.add_argument("--requests", type=int, default=30, help="timed reach pages")
    p.add_argument(
        "--home", default=str(Path(os.environ.get("TMPDIR", "/tmp")) / "puhui-prog-bench")
    )
    p.add_argument("--pg-url", default=os.environ.get("PUHUI_TEST_POSTGRES_URL", ""))
    p.add_argument("--write", action="store_true", help=f"replace '{SECTION}' in RESULTS.md")
    p.add_argument("--profile", action="store_true", help="cProfile the steps in process")
    args = p.parse_args()
    if args.profile:
        profile(args)
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in dbs and not args.pg_url:
        if args.db == "postgres":
            raise SystemExit("no PostgreSQL: run under scripts/with-postgres or give --pg-url")
        print("no PostgreSQL (PUHUI_TEST_POSTGRES_URL unset): SQLite only", file=sys.stderr)
        dbs = ["sqlite"]
    results = [run_db(db, args) for db in dbs]
    out = table(results)
    print(out)
    if args.write:
        cmd = "scripts/with-postgres .venv/bin/python bench/programme_scale.py --write"
        text = (
            f"{SECTION}\n\nCommand: `{cmd}` (`bench/programme_scale.py`; a throwaway PostgreSQL "
            "from `scripts/with-postgres`).\n\n"
            f"Machine: {machine()}\n\n"
            f"Data: `synthetic.roster({args.n})` (30 countries, 4 genders, 6 roles, 6 age bands), "
            f"one programme with one cohort; `synthetic.attendance` over {len(SESSIONS)} sessions "
            f"({results[0]['marks']:,} marks). Each database starts empty. Times are wall times "
            "of whole `python -m puhui` commands; floors run in process.\n\n"
            f"{out}\n\n"
        )
        write_section(text)
        print(f"wrote {SECTION} into {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
