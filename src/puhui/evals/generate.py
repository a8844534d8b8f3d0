"""The ``generate`` task kind: ask a chat model (cached, retried, concurrent), score, log.

A generate task renders each sample into a prompt, asks the model under test, scores the
answer (a scorer of :data:`puhui.evals.scoring.SCORERS`, a plugin's, or a judge model) and
logs one record per task × sample × epoch into the run folder (:mod:`puhui.evals.runfolder`),
appended and flushed as answers arrive. Running the same command again resumes: samples already
in the log are skipped, cached answers are reused, and a record cut short by a kill is dropped
and asked again.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from puhui._version import __version__
from puhui.config import Settings, state_dir
from puhui.errors import ModelError, PuhuiError
from puhui.evals import metrics as metric_registry
from puhui.evals.cache import ResponseCache, cache_key, model_identity
from puhui.evals.data import inside_suite, iter_samples, need, read_samples
from puhui.evals.runfolder import (
    LOG_SCHEMA,
    LogAppender,
    freeze_plan,
    json_line,
    read_log,
    read_plan,
    record_key,
    rewrite_plan,
    seal,
)
from puhui.evals.scorers.judge import JudgeConfig, unjudged, verdict_score
from puhui.evals.scorers.judge import messages as judge_messages
from puhui.evals.scoring import check_scorer, get_scorer, refusal_identity
from puhui.evals.stats import summarize_task
from puhui.evals.types import Progress, RunOptions, Sample, Score, Suite, Task, TaskKind, Template
from puhui.i18n import _
from puhui.models.client import ChatModel, TransientModelError
from puhui.models.registry import get_model

NAME = "generate"
#: What an answer the scorer could not parse counts as: ``wrong`` (0, in the metrics' n) or
#: ``exclude`` (left out of every metric and counted apart). The first is the default.
UNPARSED = ("wrong", "exclude")


def default_model(settings: Settings) -> str:
    """The model a generate run asks when none is named: ``$PUHUI_MODEL``, else embedded."""
    return settings.default_model


def unparsed_policy(mapping: Mapping[str, Any], default: str, at: str) -> str:
    """The ``unparsed:`` policy of a suite or task (``at`` names the field)."""
    value = mapping.get("unparsed", default)
    if value not in UNPARSED:
        raise PuhuiError(
            _("{at}: expected 'wrong' or 'exclude', got {v!r}").format(at=at, v=value),
            _("unparsed answers count as wrong (default) or are excluded from the metrics"),
        )
    return str(value)


def parse(
    t: Mapping[str, Any],
    at: str,
    suite_name: str,
    suite_dir: Path,
    data_override: Path | None = None,
) -> Task:
    """Validate one generate task of suite.yaml (``at`` names it) and read its samples. The
    suite's own ``unparsed:`` reaches the task as its default (see ``tasks.load_suite``)."""
    tname = need(t, "name", str, at)
    tmpl = need(t, "template", dict, at)
    scorer = need(t, "scorer", str, at)
    check_scorer(scorer, t.get("scorer_options") or {}, at)
    metrics = metric_registry.check(list(t.get("metrics") or ("accuracy",)), NAME, at)
    lang_mode = tmpl.get("instruction_language", "en")
    if lang_mode not in ("en", "sample"):
        raise PuhuiError(
            _("{at}.template.instruction_language: must be 'en' or 'sample'").format(at=at),
            None,
        )
    data_path = data_override
    if data_path is None:
        data_path = inside_suite(suite_dir, str(need(t, "data", str, at)), f"{at}.data")
    samples, digest = read_samples(Path(data_path), at)
    return Task(
        suite=suite_name,
        name=tname,
        samples=samples,
        template=Template(
            user=str(need(tmpl, "user", str, f"{at}.template")),
            system=tmpl.get("system"),
            instruction_language=lang_mode,
        ),
        scorer=scorer,
        scorer_options=dict(t.get("scorer_options") or {}),
        metrics=metrics,
        generation=dict(t.get("generation") or {}),
        data_sha256=digest,
        unparsed=unparsed_policy(t, "wrong", f"{at}.unparsed"),
    )


@dataclass(frozen=True)
class Judge:
    """The judge of one ``scorer: judge`` task: its options and the model that grades."""

    config: JudgeConfig
    model: str
    identity: str


@dataclass(frozen=True)
class Item:
    task: Task
    sample: Sample
    epoch: int

    @property
    def key(self) -> str:
        return f"{self.task.key}|{self.sample.id}|{self.epoch}"


class Limiter:
    """Adaptive concurrency: halve on rate limits, grow by one after a run of successes."""

    def __init__(self, maximum: int) -> None:
        self.maximum = max(1, maximum)
        self.limit = self.maximum
        self.active = 0
        self._ok = 0
        self._cond = threading.Condition()

    def __enter__(self) -> None:
        with self._cond:
            while self.active >= self.limit:
                self._cond.wait()
            self.active += 1

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self.active -= 1
            self._cond.notify_all()

    def throttled(self) -> None:
        with self._cond:
            self.limit = max(1, self.limit // 2)
            self._ok = 0

    def succeeded(self) -> None:
        with self._cond:
            self._ok += 1
            if self._ok >= 2 * self.limit and self.limit < self.maximum:
                self.limit += 1
                self._ok = 0
                self._cond.notify_all()


def plan_items(suite: Suite, opts: RunOptions) -> list[Item]:
    langs = list(opts.languages) or None
    return [
        Item(task, s, e)
        for task in suite.tasks
        for s in iter_samples(task, langs, opts.limit)
        for e in range(opts.epochs)
    ]


def _ask(
    model: ChatModel,
    messages: list[dict[str, str]],
    params: dict[str, Any],
    opts: RunOptions,
    limiter: Limiter,
) -> tuple[dict[str, Any] | None, str | None, int]:
    """One answer with retries and backoff; returns (answer, error, attempts)."""
    rng = random.Random(0)  # jitter only; no need to seed from the OS on every call
    for attempt in range(opts.max_retries + 1):
        try:
            with limiter:
                result = model.chat(messages, **params)
            limiter.succeeded()
            return (
                {
                    "text": result.text,
                    "completion_tokens": result.completion_tokens,
                    "finish_reason": result.finish_reason,
                },
                None,
                attempt + 1,
            )
        except TransientModelError as e:
            if e.status == 429:
                limiter.throttled()
            if attempt == opts.max_retries:
                return None, str(e), attempt + 1
            time.sleep(min(8.0, 0.25 * 2**attempt) * (0.5 + rng.random()))
        except ModelError as e:
            return None, str(e), attempt + 1
    return None, "retries exhausted", opts.max_retries + 1


def run(
    suite: Suite,
    model_name: str,
    out: Path,
    opts: RunOptions,
    settings: Settings,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run (or resume) the generate ``suite`` on ``model_name`` into ``out``; return the
    summary."""
    from puhui.models import open_model  # a lower layer, imported when a run needs it

    spec = get_model(settings, model_name)
    items = plan_items(suite, opts)
    if not items:
        raise PuhuiError(
            _("no samples of suite {s!r} match languages {l}").format(
                s=suite.name, l=", ".join(opts.languages) or "-"
            ),
            _("see the suite's languages with `puhui eval list`"),
        )
    cache_dir = state_dir(settings, "cache")
    identity = model_identity(spec, cache_dir)
    judges = judges_for(suite, opts, settings, cache_dir)
    plan: dict[str, Any] = {
        "schema": LOG_SCHEMA,
        "puhui_version": __version__,
        "suite": suite.name,
        "suite_path": str(suite.path),
        "tasks": {
            t.key: {
                "data_sha256": t.data_sha256,
                "scorer": t.scorer,
                **(
                    {"scorer_identity": refusal_identity(t.scorer_options)}
                    if t.scorer == "refusal"
                    else {}
                ),
                "metrics": list(t.metrics),
                "generation": dict(t.generation),
                "instruction_language": t.template.instruction_language,
                **({"unparsed": t.unparsed} if t.unparsed != "wrong" else {}),
                **({"judge": _judge_plan(judges[t.key])} if t.key in judges else {}),
            }
            for t in suite.tasks
        },
        "thresholds": {k: dict(v) for k, v in suite.thresholds.items()},
        "model": {
            "name": spec.name,
            "kind": spec.kind,
            "identity": identity,
        },
        "options": opts.to_json(),
        "samples": len(items),
        "measurements": _measurements(suite, items, settings, judges),
    }
    freeze_plan(out, plan)
    frozen = read_plan(out)
    if frozen.get("measurements") != plan["measurements"]:
        # Scorers measured since the run began (``puhui eval calibrate``): the summary says so.
        rewrite_plan(out, {**frozen, "measurements": plan["measurements"]})
    done = {record_key(r) for r in read_log(out)}
    todo = [it for it in items if it.key not in done]
    if progress:
        progress(len(items) - len(todo), len(items))
    if todo:
        cache = ResponseCache(cache_dir / "responses.sqlite")
        try:
            misses = _log_cached(todo, identity, cache, opts, out, judges)
            if progress:
                progress(len(items) - len(misses), len(items))
            if misses:
                with contextlib.ExitStack() as stack:
                    model = stack.enter_context(open_model(spec.name, settings))
                    graders = {
                        name: model
                        if name == spec.name
                        else stack.enter_context(open_model(name, settings))
                        for name in sorted({j.model for j in judges.values()})
                    }
                    _run_items(
                        misses,
                        model,
                        identity,
                        cache,
                        opts,
                        out,
                        progress,
                        len(items) - len(misses),
                        len(items),
                        judges,
                        graders,
                    )
        finally:
            cache.close()
    return finish(out)


def _judge_plan(judge: Judge) -> dict[str, Any]:
    """The plan's record of a task's judge (options at their default are left out, so that
    runs planned before an option existed still resume)."""
    return {
        "model": judge.model,
        "identity": judge.identity,
        "languages": list(judge.config.languages),
        "criteria": judge.config.criteria,
        **({"unvalidated": "score"} if judge.config.unvalidated == "score" else {}),
    }


def _unjudged(item: Item, judges: dict[str, Judge]) -> Score | None:
    """The unscored score of a sample its task's judge must not grade (a language the judge
    is not validated in, unless the task opted in); None when the judge grades it."""
    judge = judges.get(item.task.key)
    if judge is None or judge.config.grades(item.sample.lang):
        return None
    return unjudged(judge.config, item.sample)


def judges_for(
    suite: Suite, opts: RunOptions, settings: Settings, cache_dir: Path
) -> dict[str, Judge]:
    """The judge of every ``scorer: judge`` task, by task key (its model must be registered)."""
    judges: dict[str, Judge] = {}
    for t in suite.tasks:
        if t.scorer != "judge":
            continue
        config = JudgeConfig.parse(t.scorer_options, t.key)
        name = opts.judge_model or config.model
        if not name:
            raise PuhuiError(
                _("task {t} is scored by a judge model, but none is named").format(t=t.key),
                _("set scorer_options.model in suite.yaml or pass `judge_model=NAME`"),
            )
        spec = get_model(settings, name)
        judges[t.key] = Judge(config, spec.name, model_identity(spec, cache_dir))
    return judges


def _request(
    item: Item, identity: str, opts: RunOptions
) -> tuple[list[dict[str, str]], dict[str, Any], int, str]:
    """(messages, generation parameters, seed, cache key) for one item."""
    messages = item.task.template.render(item.sample)
    params = {"max_tokens": 256, "temperature": 0.0, **item.task.generation}
    seed = opts.seed + item.epoch
    return messages, params, seed, cache_key(identity, messages, params, seed)


def _judge_request(
    item: Item, response: str, judge: Judge, opts: RunOptions
) -> tuple[list[dict[str, str]], dict[str, Any], int, str]:
    """(messages, parameters, seed, cache key) of the judge's look at one answer."""
    prompt = item.task.template.render(item.sample)[-1]["content"]
    messages = judge_messages(judge.config, item.sample, prompt, response)
    params = {"max_tokens": judge.config.max_tokens, "temperature": 0.0}
    seed = opts.seed + item.epoch
    return messages, params, seed, cache_key(judge.identity, messages, params, seed)


def _record(
    item: Item,
    answer: dict[str, Any] | None,
    error: str | None,
    cached: bool,
    attempts: int,
    started: float,
    score: Score | None = None,
) -> str:
    task, sample = item.task, item.sample
    record: dict[str, Any] = {
        "schema": LOG_SCHEMA,
        "task": task.key,
        "sample_id": sample.id,
        "epoch": item.epoch,
        "lang": sample.lang,
        "groups": dict(sample.groups),
        "target": sample.target,
        "cached": cached,
        "attempts": attempts,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if answer is not None:
        record["response"] = answer["text"]
        if score is None:
            scorer = get_scorer(task.scorer)
            assert scorer is not None  # load_suite checked the name
            score = scorer(sample, answer["text"], task.scorer_options)
        record["score"] = score.to_json()
    else:
        record["error"] = error
    return json_line(record)


def _log_cached(
    todo: list[Item],
    identity: str,
    cache: ResponseCache,
    opts: RunOptions,
    out: Path,
    judges: dict[str, Judge],
) -> list[Item]:
    """Log every item whose answer (and verdict, if judged) is cached; return the rest."""
    misses: list[Item] = []
    keys = [_request(item, identity, opts)[3] for item in todo]
    found = cache.get_many(keys)
    skipped = {item.key: s for item in todo if (s := _unjudged(item, judges)) is not None}
    verdict_keys = {
        item.key: _judge_request(item, found[key]["text"], judges[item.task.key], opts)[3]
        for item, key in zip(todo, keys, strict=True)
        if item.task.key in judges and key in found and item.key not in skipped
    }
    verdicts = cache.get_many(list(verdict_keys.values())) if verdict_keys else {}
    with LogAppender(out) as log:
        for item, key in zip(todo, keys, strict=True):
            started = time.perf_counter()
            answer = found.get(key)
            score = skipped.get(item.key)
            if answer is not None and item.key in verdict_keys:
                verdict = verdicts.get(verdict_keys[item.key])
                if verdict is None:
                    answer = None
                else:
                    score = verdict_score(
                        judges[item.task.key].config, item.sample, verdict["text"]
                    )
            if answer is None:
                misses.append(item)
            else:
                log.write(_record(item, answer, None, True, 0, started, score))
    return misses


def _run_items(
    todo: list[Item],
    model: ChatModel,
    identity: str,
    cache: ResponseCache,
    opts: RunOptions,
    out: Path,
    progress: Progress | None,
    done: int,
    total: int,
    judges: dict[str, Judge],
    graders: dict[str, ChatModel],
) -> None:
    limiter = Limiter(opts.concurrency)
    with LogAppender(out, flush_each=True) as log:

        def one(item: Item) -> None:
            messages, params, seed, key = _request(item, identity, opts)
            started = time.perf_counter()
            skipped = _unjudged(item, judges)  # not for this judge: the judge is not asked
            judge = judges.get(item.task.key) if skipped is None else None
            answer = cache.get(key) if judge else None  # judged: the answer may be cached
            cached, error, attempts = answer is not None, None, 0
            if answer is None:
                answer, error, attempts = _ask(
                    model, messages, {**params, "seed": seed}, opts, limiter
                )
                if answer is not None:
                    cache.put(key, answer)
            score = skipped
            if answer is not None and judge:
                jm, jp, js, jkey = _judge_request(item, answer["text"], judge, opts)
                verdict = cache.get(jkey)
                if verdict is None:
                    verdict, why, _n = _ask(
                        graders[judge.model], jm, {**jp, "seed": js}, opts, limiter
                    )
                    if verdict is not None:
                        cache.put(jkey, verdict)
                if verdict is None:
                    answer, error = None, _("judge {m}: {why}").format(m=judge.model, why=why)
                else:
                    score = verdict_score(judge.config, item.sample, verdict["text"])
            log.write(_record(item, answer, error, cached, attempts, started, score))

        with ThreadPoolExecutor(max_workers=max(1, opts.concurrency)) as pool:
            for f in as_completed([pool.submit(one, it) for it in todo]):
                f.result()
                done += 1
                if progress:
                    progress(done, total)


def finish(out: Path) -> dict[str, Any]:
    """Summarize the generate run in ``out`` into ``summary.json`` and seal it (the latest
    record of each task × sample × epoch counts)."""
    plan = read_plan(out)
    latest: dict[str, dict[str, Any]] = {}
    for r in read_log(out):
        latest[record_key(r)] = r
    by_task: dict[str, list[dict[str, Any]]] = {}
    for r in latest.values():
        by_task.setdefault(r["task"], []).append(r)
    seed = int(plan["options"]["seed"])
    tasks = {
        key: summarize_task(
            sorted(by_task.get(key, []), key=lambda r: (r["sample_id"], r["epoch"])),
            info["metrics"],
            seed,
            info.get("unparsed", "wrong"),
        )
        for key, info in plan["tasks"].items()
        if key in by_task
    }
    for key, t in tasks.items():
        judge = plan["tasks"][key].get("judge")
        if judge:
            t["judge"] = _judge_note(judge, by_task[key])
        measured = (plan.get("measurements") or {}).get(key)
        if measured:
            t["measured"] = measured
    return seal(out, plan, tasks, len(latest))


def _measurements(
    suite: Suite, items: list[Item], settings: Settings, judges: dict[str, Judge]
) -> dict[str, Any]:
    """Per task scored by a measurable scorer (refusal, a judge): how it was measured in each
    of the run's languages (None: not measured), as known when the command last ran. Kept in the
    plan but not frozen: running the same command after ``puhui eval calibrate`` updates it
    (and a calibration between a kill and a resume does not refuse the resume)."""
    from puhui.evals.scorers.measured import measurements
    from puhui.evals.scoring import refusal_detector

    out: dict[str, Any] = {}
    for t in suite.tasks:
        shipped: dict[str, Any] = {}
        if t.scorer == "refusal":
            name = t.scorer
            detector = refusal_detector(t.scorer_options)
            identity, shipped = str(detector.identity), detector.measured()
        elif t.key in judges:  # a judge is validated only where people's labels measured it
            name = f"judge:{judges[t.key].model}"
            identity = judges[t.key].identity
        else:
            continue
        langs = sorted({it.sample.lang for it in items if it.task.key == t.key})
        out[t.key] = {
            "scorer": name,
            "detector": identity,
            "languages": measurements(settings, name, langs, detector=identity, shipped=shipped),
        }
    return out


def _judge_note(judge: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    """Who judged, in which languages it is validated, what happens outside them (``unknown``:
    not judged, counted in the task's ``unscored_by_language``; ``score``: judged anyway), and
    the languages whose verdicts were given unvalidated."""
    from puhui.lang import matches

    declared = list(judge["languages"])
    graded = [r for r in records if r.get("score") and r["score"].get("value") is not None]
    langs = sorted({r["lang"] for r in graded})
    unparsed = sum(1 for r in graded if not r["score"].get("parsed", True))
    return {
        "model": judge["model"],
        "languages": declared,
        "unvalidated": judge.get("unvalidated", "unknown"),
        "unvalidated_languages": [
            lang for lang in langs if not any(matches(want, lang) for want in declared)
        ],
        "unparsed_verdicts": unparsed,
    }


#: The generate kind as the kind registry (:mod:`puhui.evals.kinds`) holds it.
KIND = TaskKind(name=NAME, default_model=default_model, parse=parse, run=run, finish=finish)
