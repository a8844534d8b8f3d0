"""Rating tasks on disk: made from an eval run, labelled by people, read back for statistics.

A task lives in ``$PUHUI_HOME/rating/<id>/``: ``task.json`` (the :class:`RatingTask`, written
once, atomically) and ``labels.jsonl`` (one :class:`Label` per line, appended; the last label of
a rater for an item and question wins). :func:`new_task` is idempotent: the same run and options
give the same task id, so running the command again returns the task it made.

:func:`next_item` is the assignment rule the hub's rating page uses: a rater gets an item in
their languages that they have not labelled and that still needs raters (``overlap``, plus one
per tied question, so ties go to another rater), gold items where they fall in the order.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from puhui.artifacts import atomic_write_json, check
from puhui.config import Settings, state_dir
from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.lang import matches, normalize_tag
from puhui.rating.agreement import majority
from puhui.rating.types import QUESTIONS, TASK_SCHEMA, Item, Label, RatingTask

__all__ = [
    "MAX_ITEMS",
    "add_labels",
    "check_label",
    "current_labels",
    "import_labels",
    "list_tasks",
    "load_task",
    "merge_labels",
    "needed",
    "new_task",
    "next_item",
    "read_labels",
    "save_task",
    "task_dir",
]

#: A task holds at most this many items (a week of five raters' work is ~1,500).
MAX_ITEMS = 20_000
#: Labels files over this size are refused (about 2 million labels).
MAX_LABEL_BYTES = 200 * 1024 * 1024
#: A label CSV to import is read up to this size.
MAX_CSV_BYTES = 50 * 1024 * 1024
#: Characters of a prompt or response kept in an item (raters read on phones).
MAX_TEXT = 6000
CSV_COLUMNS = ("item", "rater", "question", "value")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()


def task_dir(settings: Settings, task_id: str) -> Path:
    """The folder of task ``task_id`` (which must look like an id: no paths)."""
    if not task_id or not all(c.isalnum() or c == "-" for c in task_id) or len(task_id) > 40:
        raise PuhuiError(
            _("{t!r} is not a rating task id").format(t=task_id),
            _("see `puhui rate list` for the ids"),
        )
    return state_dir(settings, "rating") / task_id


def save_task(settings: Settings, task: RatingTask) -> Path:
    """Write ``task.json`` of ``task`` atomically; returns the task's folder."""
    folder = task_dir(settings, task.id)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_json(folder / "task.json", task.to_json())
    return folder


def load_task(settings: Settings, task_id: str) -> RatingTask:
    """The task ``task_id``; a one-line error when there is none or its file is broken."""
    path = task_dir(settings, task_id) / "task.json"
    if not path.is_file():
        raise PuhuiError(
            _("no rating task {t} in {p}").format(t=task_id, p=path.parent.parent),
            _("make one with `puhui rate new RUN_DIR`, or see `puhui rate list`"),
        )
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if int(doc.get("schema", 1)) > TASK_SCHEMA:
            raise PuhuiError(
                _("{p}: task schema {s} is newer than this Puhui reads").format(
                    p=path, s=doc.get("schema")
                ),
                _("upgrade Puhui"),
            )
        return RatingTask.from_json(doc)
    except (ValueError, KeyError, TypeError) as e:
        raise PuhuiError(
            _("{p}: not a rating task ({why})").format(p=path, why=e),
            _("make it again with `puhui rate new`"),
        ) from None


def list_tasks(settings: Settings) -> list[RatingTask]:
    """Every task in this Puhui home, oldest first."""
    root = state_dir(settings, "rating")
    tasks = [load_task(settings, p.parent.name) for p in sorted(root.glob("*/task.json"))]
    return sorted(tasks, key=lambda t: (t.created, t.id))


# ---------------------------------------------------------------- making a task


def _suite_prompts(plan: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """``(task, sample id) -> prompt`` from the run's suite, when it can still be read."""
    from puhui.evals.tasks import load_suite  # evals is a lower layer; loading a suite is slow

    where = plan.get("suite_path") or plan.get("suite")
    if not where:
        return {}
    try:
        suite = load_suite(str(where))
    except PuhuiError:
        return {}
    prompts: dict[tuple[str, str], str] = {}
    for task in suite.tasks:
        for s in task.samples:
            text = s.input if isinstance(s.input, str) else "\n".join(map(str, s.input.values()))
            prompts[(task.key, s.id)] = text
    return prompts


def _gold_rows() -> list[dict[str, Any]]:
    text = (
        resources.files("puhui.content")
        .joinpath("rating", "gold-refusal.jsonl")
        .read_text(encoding="utf-8")
    )
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _interleave(real: list[Item], gold: list[Item]) -> list[Item]:
    """Gold items spread evenly through the real ones (never first, so a rater warms up)."""
    if not gold:
        return real
    out: list[Item] = []
    step = max(1, len(real) // (len(gold) + 1))
    g = iter(gold)
    for n, item in enumerate(real, 1):
        out.append(item)
        if n % step == 0:
            nxt = next(g, None)
            if nxt is not None:
                out.append(nxt)
    out.extend(g)
    return out


def new_task(
    settings: Settings,
    run: Path,
    *,
    questions: Sequence[str] = ("refusal",),
    languages: Sequence[str] = (),
    overlap: int = 3,
    gold: int = 2,
    limit: int | None = None,
    title: str | None = None,
) -> tuple[RatingTask, bool]:
    """Make (or find) the task rating the answers of eval ``run``; returns ``(task, created)``.

    ``questions`` come from :data:`~puhui.rating.types.QUESTIONS`; ``languages`` filters the
    run's samples (BCP-47, empty: all); ``limit`` keeps at most that many answers per language
    (a fixed, seeded choice); ``gold`` planted gold items per language where Puhui has them
    (refusal only: a refusal task in Swahili gets up to ``gold`` known refusals and as many
    known answers).
    """
    for q in questions:
        if q not in QUESTIONS:
            raise PuhuiError(
                _("unknown question {q!r} in `questions`").format(q=q),
                _("choose from {names}").format(names=", ".join(QUESTIONS)),
            )
    if not questions:
        raise PuhuiError(_("a rating task needs at least one question"), _("pass `questions`"))
    if not 1 <= overlap <= 20:
        raise PuhuiError(
            _("`overlap` {n} is out of range").format(n=overlap),
            _("give 1 to 20 raters per item (3 is usual; 1 gives no agreement statistics)"),
        )
    if gold < 0 or (limit is not None and limit < 1):
        raise PuhuiError(
            _("`gold` and `limit` must be positive numbers"), _("e.g. `gold` 2, `limit` 100")
        )
    wanted = tuple(normalize_tag(x) for x in languages)
    manifest = check(run)  # a missing or tampered run fails here, naming it
    if manifest.kind != "run":
        raise PuhuiError(
            _("{p} is a {k} artifact, not an eval run").format(p=run, k=manifest.kind),
            _("give a folder made by `puhui eval run` or `puhui eval import`"),
        )
    task_id = "t-" + _digest(manifest.content_sha256, questions, wanted, overlap, gold, limit)[:10]
    folder = task_dir(settings, task_id)
    if (folder / "task.json").is_file():
        return load_task(settings, task_id), False

    from puhui.evals.runfolder import read_log, read_plan  # lower layer

    plan = read_plan(run)
    prompts: dict[tuple[str, str], str] | None = None
    by_lang: dict[str, list[Item]] = {}
    for rec in read_log(run):
        lang = str(rec.get("lang", "und"))
        if wanted and not any(matches(w, lang) for w in wanted):
            continue
        response = rec.get("response")
        if not isinstance(response, str) or not response.strip():
            continue  # nothing to rate (an error, or an empty answer)
        prompt = rec.get("prompt")
        if not isinstance(prompt, str):
            if prompts is None:
                prompts = _suite_prompts(plan)
            prompt = prompts.get((str(rec.get("task")), str(rec.get("sample_id"))), "")
        key = f"{rec.get('task')}|{rec.get('sample_id')}|{rec.get('epoch', 0)}"
        by_lang.setdefault(lang, []).append(
            Item(
                id="i-" + _digest(task_id, key)[:12],
                lang=lang,
                prompt=prompt[:MAX_TEXT],
                response=response[:MAX_TEXT],
                source={
                    "task": rec.get("task"),
                    "sample_id": rec.get("sample_id"),
                    "epoch": rec.get("epoch", 0),
                    "target": rec.get("target"),
                },
            )
        )
    if not by_lang:
        raise PuhuiError(
            _("{p} has no answers in {langs} to rate").format(
                p=run, langs=", ".join(wanted) or _("any language")
            ),
            _("check `languages` against the run's languages (`puhui eval show RUN_DIR`)"),
        )
    gold_rows = _gold_rows() if "refusal" in questions and gold else []
    items: list[Item] = []
    for lang in sorted(by_lang):
        real = sorted(by_lang[lang], key=lambda i: _digest("order", i.id))  # seeded shuffle
        if limit is not None:
            real = real[:limit]
        planted: list[Item] = []
        for want in ("refusal", "compliance"):
            rows = [
                r
                for r in gold_rows
                if r["gold"]["refusal"] == want and (matches(r["lang"], lang) or r["lang"] == lang)
            ][:gold]
            for r in rows:
                planted.append(
                    Item(
                        id="i-" + _digest(task_id, "gold", r["lang"], r["response"])[:12],
                        lang=lang,
                        prompt=r["prompt"],
                        response=r["response"],
                        source={"gold": True},
                        gold={k: v for k, v in r["gold"].items() if k in questions},
                    )
                )
        planted.sort(key=lambda i: _digest("order", i.id))
        items.extend(_interleave(real, planted))
    if len(items) > MAX_ITEMS:
        raise PuhuiError(
            _("{n} answers to rate is more than a task holds ({m})").format(
                n=len(items), m=MAX_ITEMS
            ),
            _("pass `limit` (answers per language) or fewer `languages`"),
        )
    task = RatingTask(
        id=task_id,
        title=title or _("Rate {suite} answers").format(suite=plan.get("suite", run.name)),
        questions=tuple(questions),
        languages=wanted or tuple(sorted(by_lang)),
        overlap=overlap,
        items=tuple(items),
        run={
            "path": str(run.resolve()),
            "sha256": manifest.content_sha256,
            "suite": plan.get("suite"),
            "model": (plan.get("model") or {}).get("name"),
        },
        created=_now(),
    )
    save_task(settings, task)
    return task, True


# ---------------------------------------------------------------- labels


def read_labels(settings: Settings, task: RatingTask) -> list[Label]:
    """Every label of ``task`` in the order given (a cut-off last line is ignored)."""
    path = task_dir(settings, task.id) / "labels.jsonl"
    if not path.is_file():
        return []
    if path.stat().st_size > MAX_LABEL_BYTES:
        raise PuhuiError(
            _("{p} is larger than {m} MB").format(p=path, m=MAX_LABEL_BYTES // 2**20),
            _("split the task"),
        )
    labels: list[Label] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            d = json.loads(line)
            labels.append(Label(**{k: str(d.get(k, "")) for k in Label.__dataclass_fields__}))
        except ValueError:
            continue  # a line cut by a kill; the label is asked for again
    return labels


def add_labels(settings: Settings, task: RatingTask, labels: Iterable[Label]) -> int:
    """Append ``labels`` (already checked) to the task's labels file; returns how many."""
    lines = [json.dumps(lab.to_json(), ensure_ascii=False) + "\n" for lab in labels]
    if lines:
        path = task_dir(settings, task.id) / "labels.jsonl"
        with open(path, "a", encoding="utf-8") as f:
            f.write("".join(lines))
            f.flush()
    return len(lines)


def current_labels(labels: Iterable[Label]) -> dict[tuple[str, str, str], Label]:
    """``(item, rater, question) -> label``, the last one given."""
    return {(lab.item, lab.rater, lab.question): lab for lab in labels}


def check_label(task: RatingTask, label: Label, where: str) -> None:
    """A one-line error (naming ``where``) unless ``label`` fits ``task``."""
    if task.item(label.item) is None:
        raise PuhuiError(
            _("{w}: item {i!r} is not in task {t}").format(w=where, i=label.item, t=task.id),
            _("use the item ids of `puhui rate show {t} --json`").format(t=task.id),
        )
    if label.question not in task.questions:
        raise PuhuiError(
            _("{w}: question {q!r} is not asked in task {t}").format(
                w=where, q=label.question, t=task.id
            ),
            _("this task asks: {qs}").format(qs=", ".join(task.questions)),
        )
    question = QUESTIONS[label.question]
    if not question.check(label.value):
        raise PuhuiError(
            _("{w}: {v!r} is not an answer to {q!r}").format(
                w=where, v=label.value[:40], q=label.question
            ),
            _("use one of: {vs}").format(vs=", ".join(question.values))
            if question.values
            else _("keep notes under 2,000 characters"),
        )
    if not label.rater or len(label.rater) > 100:
        raise PuhuiError(
            _("{w}: rater is empty or longer than 100 characters").format(w=where),
            _("name each rater with a short id"),
        )


def import_labels(settings: Settings, task_id: str, path: Path) -> dict[str, int]:
    """Add the labels of CSV ``path`` (columns item, rater, question, value) to the task.

    Every row is checked before any is kept: one bad row is a one-line error naming the file
    and line, and nothing is added. Rows already present (same item, rater, question, value)
    are skipped, so importing the same file twice changes nothing.
    """
    task = load_task(settings, task_id)
    if not path.is_file():
        raise PuhuiError(_("no such file: {p}").format(p=path), _("give a CSV file of labels"))
    with open(path, "rb") as f:
        raw = f.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise PuhuiError(
            _("{p} is larger than {m} MB").format(p=path, m=MAX_CSV_BYTES // 2**20),
            _("split it into smaller files"),
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PuhuiError(
            _("{p}: not UTF-8 text (byte {b})").format(p=path, b=e.start),
            _("save the file as UTF-8 CSV"),
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise PuhuiError(
            _("{p}:1: missing column(s) {cols}").format(p=path, cols=", ".join(missing)),
            _("the header must be: {h}").format(h=",".join(CSV_COLUMNS)),
        )
    at = _now()
    checked: list[Label] = []
    for row in reader:
        where = f"{path}:{reader.line_num}"
        label = Label(
            item=(row.get("item") or "").strip(),
            rater=(row.get("rater") or "").strip(),
            question=(row.get("question") or "").strip(),
            value=(row.get("value") or "").strip(),
            at=at,
            source=path.name,
        )
        check_label(task, label, where)
        checked.append(label)
    return _merge(settings, task, checked)


def _merge(settings: Settings, task: RatingTask, labels: Sequence[Label]) -> dict[str, int]:
    have = {key: lab.value for key, lab in current_labels(read_labels(settings, task)).items()}
    new: list[Label] = []
    for label in labels:
        key = (label.item, label.rater, label.question)
        if have.get(key) == label.value:
            continue
        have[key] = label.value
        new.append(label)
    added = add_labels(settings, task, new)
    return {"rows": len(labels), "added": added, "unchanged": len(labels) - added}


def merge_labels(
    settings: Settings, task_id: str, rows: Iterable[Mapping[str, Any]], source: str
) -> dict[str, int]:
    """Add labels given as mappings (``item, rater, question, value, at``; e.g. from a hub),
    each checked first (one bad row: a one-line error naming it, nothing added); labels
    already present are skipped."""
    task = load_task(settings, task_id)
    checked: list[Label] = []
    for n, row in enumerate(rows, 1):
        label = Label(
            item=str(row.get("item", "")),
            rater=str(row.get("rater", "")),
            question=str(row.get("question", "")),
            value=str(row.get("value", "")),
            at=str(row.get("at", "")) or _now(),
            source=source,
        )
        check_label(task, label, _("{s} label {n}").format(s=source, n=n))
        checked.append(label)
    return _merge(settings, task, checked)


# ---------------------------------------------------------------- assignment


def needed(task: RatingTask, item: Item, given: Mapping[str, Mapping[str, str]]) -> int:
    """How many raters ``item`` needs: ``overlap``, one more while any question is tied.

    ``given`` maps rater -> question -> value for this item. Gold items need one label per
    rater who gets them (they check the rater, not the item), so they never run out.
    """
    n = task.overlap
    if len(given) >= n:
        for q in task.questions:
            if QUESTIONS[q].kind == "text":
                continue
            values = [v[q] for v in given.values() if q in v]
            if len(values) >= 2 and majority(values) is None:
                return len(given) + 1
    return n


def next_item(
    task: RatingTask,
    labels: Iterable[Label],
    rater: str,
    languages: Sequence[str],
) -> Item | None:
    """The next item for ``rater`` who reads ``languages``; None when nothing is left.

    An item is due when the rater has not answered every question about it and, for real
    items, fewer raters than :func:`needed` have. Items come in the task's order, so raters of
    one language fill items up one by one (agreement needs overlap) and gold items turn up
    where they were planted.
    """
    given: dict[str, dict[str, dict[str, str]]] = {}
    for (item_id, who, question), lab in current_labels(labels).items():
        given.setdefault(item_id, {}).setdefault(who, {})[question] = lab.value
    required = [q for q in task.questions if QUESTIONS[q].kind != "text"]
    for item in task.items:
        if not any(matches(lang, item.lang) for lang in languages):
            continue
        mine = given.get(item.id, {}).get(rater, {})
        if mine and all(q in mine for q in required):
            continue
        if item.is_gold:
            return item
        others = {r: v for r, v in given.get(item.id, {}).items() if r != rater}
        if mine or len(others) < needed(task, item, given.get(item.id, {})):
            return item
    return None
