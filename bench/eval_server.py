#!/usr/bin/env python3
"""A loopback OpenAI-compatible chat-completions server with a fixed latency and capacity.

Standard library only (asyncio with a minimal HTTP/1.1 handler, keep-alive on by default), so
it runs under any Python 3.11+ without installing anything::

    python3 bench/eval_server.py --port 8765 --latency-ms 50 --cap 16

Each request to ``POST /v1/chat/completions`` waits for one of ``--cap`` slots (beyond that it
queues, first come first served), holds it for ``--latency-ms`` and answers. Its capacity is
therefore ``cap / latency`` requests per second (16 / 50 ms = 320 req/s). The answer is
deterministic: when the last user message holds a line ``Options: a; b; c``, one of the options
picked by a hash of the message text; otherwise ``ok``.

Other routes: ``GET /v1/models``; ``GET /stats`` (requests served, peak in flight and queued,
mean service time, busy span); ``POST /reset`` (zero the counters). ``--self-test`` instead
measures what the server itself sustains with a raw-socket load generator and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import sys
import time
from typing import Any

REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}


class Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.in_flight = 0
        self.queued = 0
        self.max_in_flight = 0
        self.max_queued = 0
        self.service_s = 0.0  # summed time holding a slot
        self.first_start: float | None = None
        self.last_end: float | None = None
        self.connections = 0

    def to_json(self) -> dict[str, Any]:
        span = (
            self.last_end - self.first_start
            if self.first_start is not None and self.last_end is not None
            else 0.0
        )
        return {
            "requests": self.requests,
            "connections": self.connections,
            "max_in_flight": self.max_in_flight,
            "max_queued": self.max_queued,
            "mean_service_ms": round(1000 * self.service_s / self.requests, 3)
            if self.requests
            else None,
            "span_s": round(span, 4),
            "requests_per_s": round(self.requests / span, 2) if span > 0 else None,
        }


def answer_for(body: dict[str, Any]) -> str:
    """The deterministic reply to a chat request."""
    messages = body.get("messages") or []
    user = ""
    for m in reversed(messages):
        if isinstance(m, dict) and m.get("role") == "user":
            content = m.get("content")
            if isinstance(content, list):  # content parts
                content = "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            user = str(content or "")
            break
    for line in user.splitlines():
        if "Options: " in line:
            options = [o.strip() for o in line.split("Options: ", 1)[1].split(";") if o.strip()]
            if options:
                h = int.from_bytes(hashlib.sha256(user.encode("utf-8")).digest()[:4], "big")
                return options[h % len(options)]
    return "ok"


class Server:
    def __init__(self, latency_s: float, cap: int, model: str) -> None:
        self.latency_s = latency_s
        self.cap = cap
        self.model = model
        self.stats = Stats()
        self.slots = asyncio.Semaphore(cap)
        self.slack = 0.0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    continue
                try:
                    method, target, version = line.decode("latin-1").split()
                except ValueError:
                    await self.send(writer, 400, {"error": "bad request line"}, close=True)
                    return
                headers: dict[str, str] = {}
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, _, v = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = v.strip()
                if headers.get("transfer-encoding", "").lower() == "chunked":
                    body = await self.read_chunked(reader)
                else:
                    n = int(headers.get("content-length") or 0)
                    body = await reader.readexactly(n) if n else b""
                conn = headers.get("connection", "").lower()
                close = conn == "close" or (version == "HTTP/1.0" and conn != "keep-alive")
                status, payload = await self.route(method, target.split("?", 1)[0], body)
                await self.send(writer, status, payload, close=close)
                if close:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    @staticmethod
    async def read_chunked(reader: asyncio.StreamReader) -> bytes:
        parts = []
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readline()

    async def send(
        self, writer: asyncio.StreamWriter, status: int, payload: Any, close: bool = False
    ) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        head = (
            f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n"
            f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n"
        )
        writer.write(head.encode("latin-1") + data)
        await writer.drain()

    async def route(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        path = path.rstrip("/")
        if path.endswith("/chat/completions"):
            if method != "POST":
                return 405, {"error": "use POST"}
            try:
                req = json.loads(body or b"{}")
            except ValueError:
                return 400, {"error": {"message": "body is not JSON"}}
            return 200, await self.complete(req)
        if path.endswith("/models"):
            return 200, {"object": "list", "data": [{"id": self.model, "object": "model"}]}
        if path == "/stats":
            return 200, {
                "latency_ms": self.latency_s * 1000,
                "cap": self.cap,
                "capacity_per_s": self.cap / self.latency_s if self.latency_s else None,
                "slack_ms": round(self.slack * 1000, 3),
                **self.stats.to_json(),
            }
        if path == "/reset":
            self.stats.reset()
            return 200, {"ok": True}
        return 404, {"error": {"message": f"no route {path}"}}

    async def complete(self, req: dict[str, Any]) -> dict[str, Any]:
        st = self.stats
        st.queued += 1
        st.max_queued = max(st.max_queued, st.queued)
        async with self.slots:
            st.queued -= 1
            st.in_flight += 1
            st.max_in_flight = max(st.max_in_flight, st.in_flight)
            start = time.perf_counter()
            if st.first_start is None:
                st.first_start = start
            if self.latency_s > 0:
                await asyncio.sleep(max(0.0, self.latency_s - self.slack))
                # The event loop wakes a sleeper late (epoll rounds up to 1 ms, plus scheduling):
                # learn that lateness and sleep that much less, so the mean hold is the latency.
                over = time.perf_counter() - start - self.latency_s
                self.slack = min(max(self.slack + 0.05 * over, 0.0), self.latency_s / 2)
            text = answer_for(req)
            end = time.perf_counter()
            st.in_flight -= 1
        st.requests += 1
        st.service_s += end - start
        st.last_end = end
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in req["messages"])
        return {
            "id": f"chatcmpl-{st.requests}",
            "object": "chat.completion",
            "created": 0,
            "model": str(req.get("model") or self.model),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": 1,
                "total_tokens": prompt_tokens + 1,
            },
        }


async def serve(host: str, port: int, latency_s: float, cap: int, model: str) -> None:
    server = Server(latency_s, cap, model)
    srv = await asyncio.start_server(server.handle, host, port, backlog=1024)
    print(f"listening on http://{host}:{port}/v1", flush=True)
    async with srv:
        await srv.serve_forever()


# ---------------------------------------------------------------- self-test


async def _load(host: str, port: int, connections: int, seconds: float) -> dict[str, Any]:
    body = json.dumps(
        {"model": "m", "messages": [{"role": "user", "content": "Options: a; b; c\nQ?"}]}
    ).encode()
    req = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    done = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(host, port)
        while time.perf_counter() < stop:
            writer.write(req)
            await writer.drain()
            n = 0
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b""):
                    break
                if h.lower().startswith(b"content-length:"):
                    n = int(h.split(b":")[1])
            await reader.readexactly(n)
            done += 1
        writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return {"connections": connections, "requests_per_s": round(done / (time.perf_counter() - t0))}


def self_test(port: int, latency_ms: float, cap: int) -> None:
    """Run the server in a child process and load it from this one (two processes, 2 cores)."""
    import subprocess

    for lat, c, conns in ((0.0, 1000, 32), (latency_ms, cap, 2 * cap)):
        proc = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--port",
                str(port),
                "--latency-ms",
                str(lat),
                "--cap",
                str(c),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        proc.stdout.readline()
        try:
            got = asyncio.run(_load("127.0.0.1", port, conns, 3.0))
        finally:
            proc.terminate()
            proc.wait()
        capacity = c / (lat / 1000) if lat else None
        print(json.dumps({"latency_ms": lat, "cap": c, "capacity": capacity, **got}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--cap", type=int, default=16, help="requests served at once; more queue")
    ap.add_argument("--model", default="m")
    ap.add_argument("--self-test", action="store_true", help="measure the server's own ceiling")
    a = ap.parse_args()
    if a.self_test:
        self_test(a.port, a.latency_ms, a.cap)
        return
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(a.host, a.port, a.latency_ms / 1000, a.cap, a.model))


if __name__ == "__main__":
    main()
