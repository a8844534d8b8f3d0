"""Hostile requests against the hub: what one maximal ``POST /api/v1/verify`` costs, and what
eight of them at once do to everybody else.

Every measurement runs against a real ``puhui hub serve`` on 127.0.0.1 with a fresh
``PUHUI_HOME`` (a new server per case: a request the client gave up on may still hold a server
thread). Subcommands:

``single``
    Finds the largest body the hub accepts on ``POST /api/v1/verify`` (doubling, then
    bisection, with cheap bodies: a JSON object holding one long plain string; accepted = 200),
    then times one POST of a certificate-shaped credential whose ``proof.proofValue`` is N random
    base58 characters, for each ``--chars`` N and for the N that fills that largest body.
``load``
    ``GET /api/v1/version`` latency from one client, alone for ``--baseline`` seconds, then for
    ``--duration`` seconds while ``--clients`` clients keep sending maximal bodies (each request
    with a ``--timeout``): p50 / p95 / max of the answered requests, and how many timed out.
``decode``
    In-process time of the source tree's base58 decoder (``dataintegrity.b58decode``) for
    growing lengths, with a quadratic fit: it estimates a maximal request too long to wait for.
``all``
    ``single``, ``load`` and ``decode`` in turn.

``--src DIR`` runs the hub and the decoder from another source tree, e.g. a worktree of an older
commit (``git worktree add /tmp/before HEAD``; ``--src /tmp/before/src``). Nothing here asserts a
timing; it prints tables (and ``--out`` writes them as JSON). Usage, from the repository root::

    .venv/bin/python bench/hostile_requests.py all
    .venv/bin/python bench/hostile_requests.py single --src /tmp/before/src --timeout 120
    .venv/bin/python bench/hostile_requests.py load --clients 8 --duration 25 --timeout 10
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
B58 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"  # no '1': it decodes for free
ISSUER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"  # the spec's example key
SEED = 20261128


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``puhui hub serve`` from ``src`` with a fresh PUHUI_HOME, stopped (and removed) on exit."""

    def __init__(self, src: Path, threads: int = 8) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="puhui-hostile-"))
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
        env.update(PUHUI_HOME=str(self.home / "home"), PYTHONPATH=str(src))
        self.log = (self.home / "serve.log").open("w", encoding="utf-8")
        cmd = [sys.executable, "-m", "puhui", "hub", "serve", "--port", str(port)]
        cmd += ["--threads", str(threads)]
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"hub serve exited; see {self.home / 'serve.log'}")
            try:
                if httpx.get(self.url + "/api/v1/version", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise SystemExit("hub serve did not answer within 90 s")

    def __exit__(self, *exc: object) -> None:
        self.proc.kill()  # a thread deep in a big-number loop would delay a polite stop
        self.proc.wait(30)
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


# --------------------------------------------------------------------------- bodies


def hostile(chars: int, rng: random.Random) -> dict[str, Any]:
    """A certificate-shaped credential whose proofValue is ``chars`` base58 characters."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/puhui/v1"],
        "id": "urn:uuid:00000000-0000-4000-8000-000000000000",
        "type": ["VerifiableCredential", "PuhuiAssessmentCertificate"],
        "issuer": ISSUER,
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2027-01-01T00:00:00Z",
        "credentialSubject": {"type": "AISystem", "name": "x"},
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "created": "2026-01-01T00:00:00Z",
            "verificationMethod": f"{ISSUER}#{ISSUER.removeprefix('did:key:')}",
            "proofPurpose": "assertionMethod",
            "proofValue": "z" + "".join(rng.choices(B58, k=chars)),
        },
    }


def hostile_body(size: int, rng: random.Random) -> tuple[bytes, int]:
    """The hostile credential serialized to exactly ``size`` bytes; (body, proofValue chars)."""
    base = len(json.dumps(hostile(0, rng)).encode())
    chars = max(0, size - base)
    body = json.dumps(hostile(chars, rng)).encode()
    return body, chars


def padding_body(size: int) -> bytes:
    """A cheap body of exactly ``size`` bytes: one plain string (nothing to decode)."""
    base = len(json.dumps({"padding": ""}))
    return json.dumps({"padding": "a" * max(0, size - base)}).encode()


def post(client: httpx.Client, body: bytes) -> tuple[str, float]:
    """POST a body to /api/v1/verify with a keep-alive client (made once: building one costs
    ~20 ms, more than a refused request); (status or what went wrong, seconds)."""
    t0 = time.perf_counter()
    try:
        resp = client.post(
            "/api/v1/verify", content=body, headers={"Content-Type": "application/json"}
        )
        status = str(resp.status_code)
    except httpx.TimeoutException:
        status = "timeout"
    except httpx.HTTPError as e:  # refused before the body was read: the connection closes
        status = type(e).__name__
    return status, time.perf_counter() - t0


def client_for(url: str, timeout: float) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=httpx.Timeout(timeout))


def largest_accepted(url: str, cap: int = 64 * 1024 * 1024) -> int:
    """The largest body (bytes, to 256) that /api/v1/verify answers 200, with cheap bodies."""
    lo, hi = 0, 1024
    with client_for(url, 60) as client:
        while hi <= cap and post(client, padding_body(hi))[0] == "200":
            lo, hi = hi, hi * 2
        if hi > cap:
            return lo
        while hi - lo > 256:
            mid = (lo + hi) // 2
            if post(client, padding_body(mid))[0] == "200":
                lo = mid
            else:
                hi = mid
    return lo


# --------------------------------------------------------------------------- single


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))] if s else float("nan")


def single(args: argparse.Namespace) -> dict[str, Any]:
    src = Path(args.src)
    rng = random.Random(SEED)
    with Server(src) as srv:
        limit = largest_accepted(srv.url)
    print(f"largest body /api/v1/verify accepts: {limit:,} bytes", flush=True)
    rows = []
    cases = [(f"proofValue {n:,} chars", n, None) for n in args.chars]
    cases.append(("maximal body", None, limit))
    for label, chars, size in cases:
        if size is not None:
            body, chars = hostile_body(size, rng)
        else:
            assert chars is not None
            body = json.dumps(hostile(chars, rng)).encode()
        with Server(src) as srv, client_for(srv.url, args.timeout) as client:
            times, statuses = [], []
            for _ in range(args.repeat):
                status, secs = post(client, body)
                statuses.append(status)
                times.append(secs)
                if status == "timeout":
                    break  # the server thread is still busy; one is enough to say so
        row = {
            "case": label,
            "body_bytes": len(body),
            "proofValue_chars": chars,
            "statuses": statuses,
            "seconds": [round(t, 4) for t in times],
        }
        rows.append(row)
        shown = ", ".join(
            f">{t:.0f} s (timed out)" if s == "timeout" else f"{t * 1000:.1f} ms ({s})"
            for s, t in zip(statuses, times, strict=True)
        )
        print(f"{label}: {len(body):,} bytes: {shown}", flush=True)
    print()
    print("| case | body bytes | proofValue chars | answer | time per request |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        answered = [t for s, t in zip(r["statuses"], r["seconds"], strict=True) if s != "timeout"]
        when = (
            f"median {sorted(answered)[len(answered) // 2] * 1000:.1f} ms of {len(answered)}"
            if answered
            else f"> {args.timeout:.0f} s (timed out)"
        )
        print(
            f"| {r['case']} | {r['body_bytes']:,} | {r['proofValue_chars']:,} | "
            f"{'/'.join(sorted(set(r['statuses'])))} | {when} |"
        )
    return {"largest_accepted_bytes": limit, "cases": rows}


# --------------------------------------------------------------------------- load


def _probe(url: str, seconds: float, timeout: float) -> dict[str, Any]:
    """One client on /api/v1/version for ``seconds``: latencies of answers, and failures."""
    lat: list[float] = []
    failed: Counter[str] = Counter()
    start = time.monotonic()
    end = start + seconds
    last = 0.0  # when (seconds into the run) the last answer came
    with httpx.Client(base_url=url, timeout=httpx.Timeout(timeout)) as client:
        while time.monotonic() < end:
            t0 = time.perf_counter()
            try:
                resp = client.get("/api/v1/version")
                if resp.status_code == 200:
                    lat.append(time.perf_counter() - t0)
                    last = time.monotonic() - start
                else:
                    failed[str(resp.status_code)] += 1
            except httpx.TimeoutException:
                failed["timeout"] += 1
            except httpx.HTTPError as e:
                failed[type(e).__name__] += 1
                time.sleep(0.05)
    ms = [x * 1000 for x in lat]
    return {
        "answered": len(ms),
        "failed": dict(failed),
        "p50_ms": round(pct(ms, 50), 1),
        "p95_ms": round(pct(ms, 95), 1),
        "max_ms": round(max(ms), 1) if ms else None,
        "last_answer_s": round(last, 1),
    }


def load(args: argparse.Namespace) -> dict[str, Any]:
    src = Path(args.src)
    rng = random.Random(SEED + 1)
    with Server(src) as srv:
        size = args.attack_bytes or largest_accepted(srv.url)
    body, chars = hostile_body(size, rng)
    print(f"attack body: {len(body):,} bytes, proofValue {chars:,} chars", flush=True)
    with Server(src) as srv:
        alone = _probe(srv.url, args.baseline, args.timeout)
        stop = threading.Event()
        sent: Counter[str] = Counter()
        lock = threading.Lock()

        def attacker() -> None:
            with client_for(srv.url, args.timeout) as client:
                while not stop.is_set():
                    status, _secs = post(client, body)
                    with lock:
                        sent[status] += 1

        threads = [threading.Thread(target=attacker, daemon=True) for _ in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        attacked = _probe(srv.url, args.duration, args.timeout)
        stop.set()
        with lock:
            attacks = dict(sent)
    print()
    print(
        "| /api/v1/version, 1 client | answered | failed | p50 ms | p95 ms | max ms "
        "| last answer at |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, r in ((f"alone ({args.baseline:.0f} s)", alone),
                     (f"while {args.clients} clients send maximal bodies ({args.duration:.0f} s)",
                      attacked)):  # fmt: skip
        failed = ", ".join(f"{k} {v}" for k, v in r["failed"].items()) or "0"
        print(
            f"| {label} | {r['answered']} | {failed} | {r['p50_ms']} | {r['p95_ms']} | "
            f"{r['max_ms']} | {r['last_answer_s']} s |"
        )
    print(f"\nattack requests finished during the run (by answer): {attacks}")
    return {
        "attack_body_bytes": len(body),
        "proofValue_chars": chars,
        "clients": args.clients,
        "alone": alone,
        "attacked": attacked,
        "attack_answers": attacks,
    }


# --------------------------------------------------------------------------- decode

_DECODE = r"""
import json, random, sys, time
from puhui.certify import dataintegrity as di
rng = random.Random(int(sys.argv[1]))
alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
out = []
for n in map(int, sys.argv[2].split(",")):
    text = "".join(rng.choices(alphabet, k=n))
    t0 = time.perf_counter()
    try:
        di.b58decode(text)
        what = "decoded"
    except ValueError as e:
        what = "refused: " + str(e)[:80]
    out.append({"chars": n, "seconds": time.perf_counter() - t0, "result": what})
print(json.dumps({"module": di.__file__, "rows": out}))
"""


def decode(args: argparse.Namespace) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(args.src)}
    lengths = ",".join(str(n) for n in args.lengths)
    proc = subprocess.run(
        [sys.executable, "-c", _DECODE, str(SEED), lengths],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=True,
    )
    res: dict[str, Any] = json.loads(proc.stdout)
    rows = res["rows"]
    decoded = [r for r in rows if r["result"] == "decoded" and r["chars"] >= 10_000]
    # least squares of t = a * n^2 over the long inputs
    num = sum(r["seconds"] * r["chars"] ** 2 for r in decoded)
    den = sum(r["chars"] ** 4 for r in decoded)
    a = num / den if den else 0.0
    print(f"decoder: {res['module']}")
    print("| characters | time | result |")
    print("| --- | --- | --- |")
    for r in rows:
        print(f"| {r['chars']:,} | {r['seconds'] * 1000:.2f} ms | {r['result']} |")
    if a:
        for n in args.extrapolate:
            print(f"quadratic fit: {n:,} characters would take ~{a * n * n:.0f} s")
    res["quadratic_seconds_per_char2"] = a
    return res


# --------------------------------------------------------------------------- main


def machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("command", choices=["single", "load", "decode", "all"])
    p.add_argument("--src", default=str(ROOT / "src"), help="source tree to run (default: ours)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    p.add_argument("--repeat", type=int, default=5, help="requests per single case")
    p.add_argument(
        "--chars",
        type=lambda s: [int(x) for x in s.split(",") if x],
        default=[150_000],
        help="proofValue lengths to time besides the maximal body (comma-separated)",
    )
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--baseline", type=float, default=5.0, help="seconds of probing alone")
    p.add_argument("--duration", type=float, default=25.0, help="seconds of probing under attack")
    p.add_argument("--attack-bytes", type=int, default=0, help="attack body (default: largest)")
    p.add_argument(
        "--lengths",
        type=lambda s: [int(x) for x in s.split(",") if x],
        default=[88, 1_000, 12_500, 25_000, 50_000, 100_000, 150_000],
    )
    p.add_argument(
        "--extrapolate",
        type=lambda s: [int(x) for x in s.split(",") if x],
        default=[150_000, 2_096_700],
    )
    p.add_argument("--out", help="write the results as JSON here")
    args = p.parse_args()
    print(f"machine: {machine()}; source: {args.src}\n", flush=True)
    results: dict[str, Any] = {"machine": machine(), "src": args.src}
    steps = ["single", "load", "decode"] if args.command == "all" else [args.command]
    for step in steps:
        print(f"## {step}\n", flush=True)
        results[step] = {"single": single, "load": load, "decode": decode}[step](args)
        print(flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
