"""The real embedded model behind a real OpenAI-compatible server on 127.0.0.1 — no mocks."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from puhui.artifacts import check
from puhui.config import load_settings
from puhui.errors import ModelError
from puhui.models import ModelSpec, add_model, open_model
from puhui.models.client import ChatModel

from conftest import Run, assert_one_line_error, free_port

pytestmark = pytest.mark.slow
DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
def served(home: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`puhui models serve --port P --json` running; yields (base_url, process)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "puhui", "models", "serve", "--port", str(port), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    try:
        ready = json.loads(proc.stdout.readline() or "{}")  # blocks until the model is loaded
        assert ready.get("base_url") == f"http://127.0.0.1:{port}/v1", proc.stderr
        yield ready["base_url"], proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(20)


def test_serve_answers_openai_client(served: tuple[str, subprocess.Popen[str]]) -> None:
    from openai import OpenAI

    base_url, proc = served
    client = OpenAI(base_url=base_url, api_key="none")
    assert [m.id for m in client.models.list()] == ["embedded"]
    reply = client.chat.completions.create(
        model="embedded",
        messages=[{"role": "user", "content": "What is the capital of France? One word."}],
        max_tokens=16,
        temperature=0,
    )
    assert "Paris" in (reply.choices[0].message.content or "")
    assert reply.usage is not None and reply.usage.completion_tokens > 0
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0


def test_serve_port_in_use(puhui: Run) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert_one_line_error(
            puhui("models", "serve", "--port", str(port)),
            f"port {port} on 127.0.0.1 is already in use",
            "--port",
        )


def test_missing_and_broken_model_files(puhui: Run, home: Path, tmp_path: Path) -> None:
    gguf = tmp_path / "gone.gguf"
    gguf.write_bytes(b"GGUF" + os.urandom(64))
    assert puhui("models", "add", "gone", "--gguf", str(gguf)).returncode == 0
    assert_one_line_error(
        puhui("models", "serve", "gone", "--port", "0"), "llama.cpp could not load"
    )
    assert_one_line_error(puhui("models", "chat", "gone", "-p", "hi"), "llama.cpp could not load")
    gguf.unlink()
    assert_one_line_error(puhui("models", "serve", "gone"), "gone.gguf does not exist")
    assert_one_line_error(puhui("models", "chat", "gone", "-p", "hi"), "does not exist")


def test_unreachable_endpoint(puhui: Run) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    puhui("models", "add", "down", "--endpoint", url, "--model", "m")
    line = assert_one_line_error(
        puhui("models", "chat", "down", "-p", "hi"),
        "cannot reach model 'down'",
        url,
        "connection refused",
    )
    assert "running" in line
    assert_one_line_error(puhui("models", "serve", "down"), "is an endpoint")


class _Misbehaving(BaseHTTPRequestHandler):
    """A real loopback server that answers the way broken endpoints do."""

    def do_POST(self) -> None:
        mode = self.path.split("/")[1]
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if mode == "slow":
            time.sleep(2)
        status, body = {
            "e500": (500, b'{"error": "model crashed"}'),
            "garbage": (200, b"<html>not json</html>"),
            "nochoices": (200, b'{"id": "x"}'),
            "auth": (401, b'{"error": "bad key"}'),
            "missing": (404, b"no such route"),
            "slow": (200, b"{}"),
        }[mode]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client gave up
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def misbehaving() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Misbehaving)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("mode", "needle"),
    [
        ("e500", 'answered HTTP 500: {"error": "model crashed"}'),
        ("garbage", "did not answer with JSON"),
        ("nochoices", "not a chat completion"),
        ("auth", "refused the API key (HTTP 401)"),
        ("missing", "answered 404 Not Found"),
        ("slow", "did not answer within 0.5 s"),
    ],
)
def test_broken_endpoints_give_one_line_errors(misbehaving: str, mode: str, needle: str) -> None:
    spec = ModelSpec("broken", "endpoint", endpoint=f"{misbehaving}/{mode}/v1", model="m")
    model = ChatModel(spec, spec.endpoint or "", "k", timeout=0.5)
    with pytest.raises(ModelError) as e:
        model.chat([{"role": "user", "content": "hi"}], max_tokens=4)
    assert needle in str(e.value) and "\n" not in str(e.value)
    model.close()


def test_open_model_starts_and_stops_embedded(home: Path) -> None:
    with open_model("embedded", load_settings()) as model:
        assert model.models() == ["embedded"]
        result = model.chat([{"role": "user", "content": "Say hello."}], max_tokens=8)
        assert result.text.strip() and result.completion_tokens
        assert result.tokens_per_second and result.tokens_per_second > 0
        base_url = model.base_url
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url + "/models", timeout=5)


def test_endpoint_model_through_registry(
    served: tuple[str, subprocess.Popen[str]], home: Path
) -> None:
    """A registered endpoint (here: our own server) is used as-is, with its key from env."""
    base_url, _ = served
    settings = load_settings()
    add_model(
        settings,
        ModelSpec(
            "lan", "endpoint", endpoint=base_url, model="embedded", api_key_env="PUHUI_TEST_KEY"
        ),
    )
    os.environ["PUHUI_TEST_KEY"] = "secret"
    try:
        with open_model("lan", settings) as model:
            assert model.chat([{"role": "user", "content": "Hi"}], max_tokens=4).text
    finally:
        del os.environ["PUHUI_TEST_KEY"]


def test_completions_api_for_base_models(
    served: tuple[str, subprocess.Popen[str]], home: Path, puhui: Run
) -> None:
    """`--api completions` sends /v1/completions with a plain prompt, and eval runs use it."""
    base_url, _ = served
    added = puhui(
        "models", "add", "base", "--endpoint", base_url, "--model", "embedded",
        "--api", "completions",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    settings = load_settings()
    with open_model("base", settings) as model:
        result = model.chat(
            [{"role": "system", "content": "Geography quiz."},
             {"role": "user", "content": "The capital of France is"}],
            max_tokens=8,
        )  # fmt: skip
    assert result.text.strip() and result.completion_tokens
    assert result.raw["object"] == "text_completion"  # llama.cpp's /v1/completions answer
    out = home / "run"
    run = puhui(
        "eval", "run", str(DATA / "mini"), "--model", "base", "--limit", "1",
        "--out", str(out), "--json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["complete"] and summary["model"]["identity"].endswith("|completions")
    bad = puhui("models", "add", "x", "--endpoint", base_url, "--model", "m", "--api", "legacy")
    assert_one_line_error(bad, "api", "chat, completions")


def test_completion_prompt_layout() -> None:
    from puhui.models.client import completion_prompt

    one = [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]
    assert completion_prompt(one) == "S\n\nU"
    assert completion_prompt(one[1:]) == "U"
    talk = [*one, {"role": "assistant", "content": "A"}, {"role": "user", "content": "V"}]
    assert completion_prompt(talk) == "S\n\nUser: U\n\nAssistant: A\n\nUser: V\n\nAssistant:"


def test_demo_json(puhui: Run, home: Path) -> None:
    try:
        demo = puhui("demo", "--json", timeout=600)
        _check_demo(puhui, demo)
    finally:
        stop = puhui("hub", "stop", "--json")  # the demo leaves two hubs running in the background
    stopped = json.loads(stop.stdout)["stopped"]
    second = json.loads(demo.stdout)["mirror"]["url"]
    assert [h["url"] for h in stopped["also"]] == [second]
    with pytest.raises(httpx.HTTPError):
        httpx.get(second + "api/v1/version", timeout=5)


def _check_demo(puhui: Run, proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [a["language"] for a in out["answers"]] == ["en", "fr", "sw"]
    assert all(a["text"].strip() and a["tokens_per_second"] > 0 for a in out["answers"])
    manifest = check(out["artifact"])
    assert manifest.kind == "demo" and manifest.id == out["id"]
    assert manifest.provenance["inputs"][0]["name"] == "model:embedded"
    evals = out["evals"]
    assert {"sib200", "multijail", "xstest", "adult"} <= set(evals)
    sib = evals["sib200"]["tasks"]["sib200/topic"]["metrics"]["accuracy"]
    assert {r["language"] for r in sib["per_language"]} >= {"en", "sw", "yo", "ar", "hi"}
    adult = evals["adult"]["tasks"]["adult/income"]
    sexes = {r["group"] for r in adult["metrics"]["selection_rate"]["per_group"]["sex"]}
    assert sexes == {"Female", "Male"}
    assert adult["fairness"]["sex"]["demographic_parity_difference"]["value"] > 0
    assert check(evals["adult"]["run"]).kind == "run"
    # the assessment (report, PDF, OSCAL) and its certificate, verified offline
    assessed = out["assessment"]
    assert check(assessed["assessment"]).kind == "assessment"
    assert Path(assessed["report_pdf"]).read_bytes().startswith(b"%PDF")
    assert "assessment-results" in json.loads(Path(assessed["oscal"]).read_text())
    assert assessed["certificate_valid"] is True
    checked = puhui(
        "cert", "verify", assessed["certificate"], "--report-dir", assessed["assessment"], "--json"
    )
    assert checked.returncode == 0 and json.loads(checked.stdout)["valid"] is True
    # the hub it published to, with lineage: certificate → assessment → runs and corpus
    hub = out["hub"]
    kinds = sorted(i["kind"] for i in hub["items"])
    assert kinds == [
        "assessment", "certificate", "corpus", *["course"] * 2, "model", *["run"] * 4,
        *["suite"] * 4,
    ]  # fmt: skip
    # both bundled courses, their learn pages in Swahili
    assert sorted(u.rsplit("/", 2)[-2] for u in hub["courses"]) == ["ai-for-everyone", "testing-ai"]
    assert hub["learn"] == hub["url"].rstrip("/") + "/learn/"
    # the demo programme: credentials that verify offline, the reach report (small cells hidden)
    prog = out["programme"]
    assert prog["participants"] == 120 and prog["credentials"] > 0
    creds = sorted(Path(prog["credentials_dir"]).glob("*.json"))
    assert len(creds) == prog["credentials"]
    verified = puhui("cert", "verify", str(creds[0]), "--json")
    assert verified.returncode == 0 and json.loads(verified.stdout)["valid"] is True
    assert Path(prog["reach_pdf"]).read_bytes().startswith(b"%PDF")
    assert "<5" in Path(prog["reach_csv"]).read_text(encoding="utf-8")
    for url in hub["courses"]:
        assert url.startswith(hub["learn"])
        page = httpx.get(url.replace("/learn/", "/sw/learn/"), timeout=30)
        assert page.status_code == 200 and 'lang="sw"' in page.text
    run_page = httpx.get(next(i for i in hub["items"] if i["kind"] == "run")["url"]).text
    model_urn = next(i["urn"] for i in hub["items"] if i["kind"] == "model")
    assert model_urn in run_page  # run → model (and → suite) resolved in the hub
    assert hub["url"].startswith("http://127.0.0.1:")
    assessment = next(i for i in hub["items"] if i["kind"] == "assessment")
    page = httpx.get(assessment["url"], timeout=30).text
    for item in hub["items"]:
        if item["kind"] in ("run", "corpus", "certificate"):
            assert item["urn"] in page, item["urn"]  # made from the runs and corpus; certified
    # a second hub mirrors the first (stopped with it by `puhui hub stop`)
    mirror = out["mirror"]
    assert mirror["peer"] == "first" and mirror["mirrored"] == len(hub["items"])
    assert mirror["url"].startswith("http://127.0.0.1:") and mirror["url"] != hub["url"]
    held = httpx.get(mirror["url"] + "api/v1/items", params={"per_page": 100}, timeout=30).json()
    assert {i["org"] for i in held["items"]} == {"peer-first"}
    cert = next(i for i in held["items"] if i["kind"] == "certificate")
    page = httpx.get(cert["url"], timeout=30)
    assert page.status_code == 200 and "from hub first" in page.text
    # a small rating task on the first hub, and a link that signs a rater up for it
    rating = out["rating"]
    assert rating["languages"] == ["sw", "ar"] and rating["items"] == 2
    assert rating["gold_items"] == 4  # one known refusal and one known answer per language
    assert rating["url"] == f"{hub['url'].rstrip('/')}/rate/{rating['id']}/"
    assert rating["invite"].startswith(f"{hub['url'].rstrip('/')}/rate/join/")
    join = httpx.get(rating["invite"], timeout=30)
    assert join.status_code == 200 and 'name="username"' in join.text
    listed = puhui("rate", "list", "--json")
    assert [t["id"] for t in json.loads(listed.stdout)["tasks"]] == [rating["id"]]


def test_chat_one_shot_and_conversation(home: Path) -> None:
    one = subprocess.run(
        [
            sys.executable,
            "-m",
            "puhui",
            "models",
            "chat",
            "-p",
            "Name a colour.",
            "--json",
            "--max-tokens",
            "12",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert one.returncode == 0, one.stderr
    answer = json.loads(one.stdout)
    assert answer["text"].strip() and answer["model"] == "embedded"
    talk = subprocess.run(
        [sys.executable, "-m", "puhui", "models", "chat", "--max-tokens", "8"],
        input="Hello!\nWhat did I just say?\n\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert talk.returncode == 0, talk.stderr
    assert talk.stderr.count("tok/s") == 2  # two answers, then the empty line ended the chat
