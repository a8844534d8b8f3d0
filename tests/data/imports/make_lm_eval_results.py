#!/usr/bin/env python3
"""Produce the real lm-evaluation-harness output in ``lm-eval/`` (results and samples files).

Writes three tiny generation tasks, ``capitals_en``, ``capitals_fr`` and ``capitals_swh_Latn``
(four capital-city questions each, read offline from local JSONL files via
``dataset_path: json``), and a group ``capitals`` over them, then runs ``lm_eval`` with
``--model local-chat-completions --limit 3 --log_samples`` against the loopback
OpenAI-compatible server in ``bench/eval_server.py`` (it answers with one of the ``Options:``
picked by a hash of the prompt, so some answers are right and some wrong). Needs
``pip install "lm-eval[api]"`` (0.4.13 was used; no torch needed)::

    python3 -m venv /tmp/lmevalvenv && /tmp/lmevalvenv/bin/pip install "lm-eval[api]"
    /tmp/lmevalvenv/bin/python tests/data/imports/make_lm_eval_results.py

Not imported by Puhui or its tests; kept so the fixtures can be remade.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
OUT = HERE / "lm-eval"

QUESTIONS = {
    "en": [
        ("What is the capital of France?", ["Paris", "Lyon", "Nice"], "Paris"),
        ("What is the capital of Kenya?", ["Mombasa", "Nairobi", "Kisumu"], "Nairobi"),
        ("What is the capital of Ghana?", ["Kumasi", "Tamale", "Accra"], "Accra"),
        ("What is the capital of Peru?", ["Lima", "Cusco", "Arequipa"], "Lima"),
    ],
    "fr": [
        ("Quelle est la capitale du Sénégal ?", ["Dakar", "Thiès", "Touba"], "Dakar"),
        ("Quelle est la capitale du Mali ?", ["Mopti", "Bamako", "Gao"], "Bamako"),
        ("Quelle est la capitale du Niger ?", ["Zinder", "Agadez", "Niamey"], "Niamey"),
        ("Quelle est la capitale du Bénin ?", ["Cotonou", "Porto-Novo", "Parakou"], "Porto-Novo"),
    ],
    "swh_Latn": [
        ("Mji mkuu wa Tanzania ni upi?", ["Dodoma", "Arusha", "Mwanza"], "Dodoma"),
        ("Mji mkuu wa Uganda ni upi?", ["Gulu", "Kampala", "Jinja"], "Kampala"),
        ("Mji mkuu wa Rwanda ni upi?", ["Huye", "Musanze", "Kigali"], "Kigali"),
        ("Mji mkuu wa Kenya ni upi?", ["Nairobi", "Mombasa", "Kisumu"], "Nairobi"),
    ],
}

TASK_YAML = """\
task: capitals_{lang}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: generate_until
doc_to_text: "Which city is the capital? Options: {{{{options}}}}\\n{{{{question}}}}\\nAnswer:"
doc_to_target: "{{{{answer}}}}"
generation_kwargs:
  until: ["\\n"]
  max_gen_toks: 8
  do_sample: false
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
"""

GROUP_YAML = """\
group: capitals
task: [{tasks}]
aggregate_metric_list:
  - metric: exact_match
    aggregation: mean
    weight_by_size: true
metadata:
  version: 1.0
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
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
        with tempfile.TemporaryDirectory() as tmp:
            tasks = Path(tmp) / "tasks"
            tasks.mkdir()
            for lang, rows in QUESTIONS.items():
                data = tasks / f"capitals_{lang}.jsonl"
                with open(data, "w", encoding="utf-8") as f:
                    for q, options, answer in rows:
                        doc = {"question": q, "options": "; ".join(options), "answer": answer}
                        f.write(json.dumps(doc, ensure_ascii=False) + "\n")
                (tasks / f"capitals_{lang}.yaml").write_text(TASK_YAML.format(lang=lang, data=data))
            names = ", ".join(f"capitals_{lang}" for lang in QUESTIONS)
            (tasks / "capitals.yaml").write_text(GROUP_YAML.format(tasks=names))
            env = {
                **os.environ,
                "HF_DATASETS_OFFLINE": "1",
                "HF_HUB_OFFLINE": "1",
                "NO_PROXY": "127.0.0.1,localhost",
                "OPENAI_API_KEY": "none",
            }
            base_url = f"http://127.0.0.1:{port}/v1/chat/completions"
            lm_eval = Path(sys.executable).with_name("lm_eval")
            subprocess.run(
                [
                    str(lm_eval),
                    *("--model", "local-chat-completions"),
                    *(
                        "--model_args",
                        f"model=m,base_url={base_url},num_concurrent=2,max_retries=1",
                    ),
                    *("--tasks", "capitals", "--include_path", str(tasks), "--apply_chat_template"),
                    *("--limit", "3", "--log_samples", "--output_path", str(Path(tmp) / "out")),
                ],
                env=env,
                check=True,
            )
            shutil.rmtree(OUT, ignore_errors=True)
            OUT.mkdir()
            for f in sorted((Path(tmp) / "out").rglob("*.json*")):
                shutil.copy(f, OUT / f.name)
                print(f"wrote {OUT / f.name}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
