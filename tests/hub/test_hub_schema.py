"""Schemathesis against the hub's own OpenAPI spec: no request the spec allows makes a 5xx.

A real `puhui hub serve` on 127.0.0.1 with a run, an assessment, its certificate and a corpus
published, fuzzed once as an anonymous caller and once with an admin's publish token (which also
reads everything the admin may see). Only `not_a_server_error` is checked: answers such as 401
or 404 for a made-up id are expected.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from test_hub_e2e import PASSWORD, Hub, _wait, fake_assessment, fake_run, make_artifact

from puhui.certify import credential, keys

from conftest import free_port

pytestmark = pytest.mark.slow  # fuzzes a real `puhui hub serve`

MAX_EXAMPLES = 15  # per operation, mode and caller: about 500 requests, well under a minute


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    tmp = tmp_path_factory.mktemp("hub-schema")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update(PUHUI_HOME=str(tmp / "home"), COLUMNS="200")
    h = Hub(url=f"http://127.0.0.1:{free_port()}", env=env, tmp=tmp)
    assert h.cli("hub", "init").returncode == 0
    proc = h.cli(
        "hub", "createuser", "alice", "--org", "acme", "--role", "admin", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    proc = h.cli("hub", "token", "new", "alice", "--scope", "publish", "--org", "acme")
    assert proc.returncode == 0, proc.stderr
    h.publish_token = proc.stdout.strip()
    log = (tmp / "server.log").open("w", encoding="utf-8")
    port = h.url.rsplit(":", 1)[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "puhui", "hub", "serve", "--port", port],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait(h.url, server)
        run = fake_run(tmp / "run")
        assessment = fake_assessment(tmp / "assessment", run)
        keys.create_key_dir(tmp / "key", "Lab A")
        h.cert_path = tmp / "cert.json"
        h.cert_path.write_text(
            json.dumps(credential.issue(assessment, tmp / "key", valid_days=30)), encoding="utf-8"
        )
        for path in (run, assessment, h.cert_path):
            h.items[path.name] = h.publish(path)
        corpus = make_artifact(
            tmp / "corpus",
            "corpus",
            {
                "croissant.json": json.dumps({"@type": "sc:Dataset", "name": "habari"}),
                "data/part-00000.jsonl": '{"text": "Habari za asubuhi"}\n' * 5,
            },
            parameters={"name": "habari"},
        )
        h.items["corpus"] = h.publish(corpus, "--visibility", "organization")
        yield h
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        text = (tmp / "server.log").read_text(encoding="utf-8", errors="replace")
        if "Traceback" in text:  # shown with the failure, so a 500 comes with its cause
            print(text[-8000:])


def test_spec_lists_every_operation(live_hub: Hub) -> None:
    spec = httpx.get(live_hub.url + "/api/v1/openapi.json").json()
    ops = {(m.upper(), p) for p, methods in spec["paths"].items() for m in methods}
    assert ("POST", "/api/v1/items") in ops and ("POST", "/api/v1/verify") in ops
    assert len(ops) >= 7, ops


FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def fuzz(schema: BaseSchema, headers: dict[str, str], known: dict[str, object]) -> list[str]:
    """Every operation, valid and invalid inputs, once more with ids of real items and files;
    the server errors found, one entry each."""
    errors: list[str] = []
    statuses: Counter[int] = Counter()
    ops = [r.ok() for r in schema.get_all_operations() if isinstance(r, Ok)]
    assert len(ops) >= 7, [op.label for op in ops]
    for op in ops:
        fixed = {k: v for k, v in known.items() if "{" + k + "}" in op.path}
        runs: list[tuple[GenerationMode, dict[str, object] | None]] = [
            (GenerationMode.POSITIVE, None),
            (GenerationMode.NEGATIVE, None),
        ]
        if fixed:
            runs.append((GenerationMode.POSITIVE, fixed))

        for mode, params in runs:
            strategy = op.as_strategy(generation_mode=mode, path_parameters=params)

            @FUZZ
            @given(case=strategy)
            def check(case: Case[Any]) -> None:
                resp = case.call(headers=headers, timeout=30)
                statuses[resp.status_code] += 1
                case.validate_response(resp, checks=[not_a_server_error], headers=headers)

            try:
                check()
            except Unsatisfiable:  # no invalid input exists (an operation with no parameters)
                continue
            except Exception as e:  # a failure names the request that made the 5xx
                errors.append(f"{op.label} ({mode.value}): {str(e)[:2000]}")
    # the fuzzing really reached the server, and some requests got through to real answers
    assert sum(statuses.values()) >= 10 * len(ops) and statuses[200] >= 10, statuses
    return errors


def _known_ids(hub: Hub) -> dict[str, object]:
    detail = httpx.get(
        f"{hub.url}/api/v1/items/{hub.items['corpus']['id']}",
        headers={"Authorization": f"Bearer {hub.publish_token}"},
    ).json()
    return {"item_id": hub.items["corpus"]["id"], "sha256": detail["files"][0]["sha256"]}


def test_no_server_error_anonymous(live_hub: Hub) -> None:
    schema = schemathesis.openapi.from_url(live_hub.url + "/api/v1/openapi.json")
    assert fuzz(schema, {}, _known_ids(live_hub)) == []


def test_no_server_error_with_a_token(live_hub: Hub) -> None:
    schema = schemathesis.openapi.from_url(live_hub.url + "/api/v1/openapi.json")
    auth = {"Authorization": f"Bearer {live_hub.publish_token}"}
    assert fuzz(schema, auth, _known_ids(live_hub)) == []
