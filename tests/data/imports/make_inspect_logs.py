#!/usr/bin/env python3
"""Produce the real Inspect eval logs in this folder (``inspect-capitals.eval``/``.json``).

Runs a tiny Inspect task (6 capital-city questions, two each in English, French and
Swahili, each with ``metadata={"language": ...}``, scored by ``includes()``) against the loopback
OpenAI-compatible server in ``bench/eval_server.py``, which picks one of the ``Options:`` by a
hash of the prompt, so some answers are right and some wrong. Writes the same run in both of
Inspect's log formats. Needs inspect-ai and openai (e.g. the venv of bench/eval_overhead.py)::

    /tmp/inspectvenv/bin/python tests/data/imports/make_inspect_logs.py

Not imported by Puhui or its tests; kept so the fixtures can be remade.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]

QUESTIONS = [
    ("en-1", "en", "What is the capital of France?", ["Paris", "Lyon", "Nice"], "Paris"),
    ("en-2", "en", "What is the capital of Kenya?", ["Mombasa", "Nairobi", "Kisumu"], "Nairobi"),
    ("fr-1", "fr", "Quelle est la capitale du Sénégal ?", ["Dakar", "Thiès", "Touba"], "Dakar"),
    ("fr-2", "fr", "Quelle est la capitale du Mali ?", ["Mopti", "Bamako", "Gao"], "Bamako"),
    ("sw-1", "sw", "Mji mkuu wa Tanzania ni upi?", ["Dodoma", "Arusha", "Mwanza"], "Dodoma"),
    ("sw-2", "sw", "Mji mkuu wa Uganda ni upi?", ["Gulu", "Kampala", "Jinja"], "Kampala"),
]


def capitals():  # type: ignore[no-untyped-def]
    from inspect_ai import Task
    from inspect_ai.dataset import MemoryDataset, Sample
    from inspect_ai.model import GenerateConfig
    from inspect_ai.scorer import includes
    from inspect_ai.solver import generate

    samples = [
        Sample(
            id=sid,
            input=f"Which city is the capital? Options: {'; '.join(opts)}\n{q}\nAnswer:",
            target=target,
            metadata={"language": lang},
        )
        for sid, lang, q, opts, target in QUESTIONS
    ]
    return Task(
        name="capitals",
        dataset=MemoryDataset(samples, name="capitals"),
        solver=generate(),
        scorer=includes(),
        config=GenerateConfig(max_tokens=8, temperature=0, seed=0),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    from inspect_ai import eval as inspect_eval

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "bench" / "eval_server.py"),
            "--port",
            str(port),
            "--latency-ms",
            "5",
            "--cap",
            "4",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()
        os.environ.update(
            LOOP_BASE_URL=f"http://127.0.0.1:{port}/v1",
            LOOP_API_KEY="none",
            NO_PROXY="127.0.0.1,localhost",
        )
        for fmt in ("eval", "json"):
            with tempfile.TemporaryDirectory() as tmp:
                logs = inspect_eval(
                    capitals(),
                    model="openai-api/loop/m",
                    log_dir=tmp,
                    log_format=fmt,
                    display="none",
                    log_level="warning",
                )
                assert logs[0].status == "success", logs[0].error
                (written,) = list(Path(tmp).glob(f"*.{fmt}"))
                shutil.copy(written, HERE / f"inspect-capitals.{fmt}")
                print(f"wrote {HERE / f'inspect-capitals.{fmt}'} from {written.name}")
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
