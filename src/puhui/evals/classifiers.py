"""Classic-ML fairness: ``kind: classify`` tasks on tabular data, measured per sensitive group.

A classify task names a table (CSV, optionally gzipped, with a header row), its ``target``
column and ``positive_label``, the ``features`` a classifier sees and the ``sensitive``
attributes to disaggregate by, plus a fixed train/test ``split``. The model
``demo-classifier`` is a scikit-learn pipeline (scaled numbers + one-hot categories →
LogisticRegression) trained on the spot on the train split with a fixed seed and scored on the
test split. Per group, Fairlearn's ``MetricFrame`` gives accuracy, selection rate, TPR and FPR
with their between-group differences and ratios, next to demographic parity and equalized odds
differences; every value carries a percentile-bootstrap 95% interval
(:func:`puhui.evals.stats.bootstrap`) and groups under 30 rows are flagged as too small.

Instead of the demo, ``--model`` may name the user's own classifier: a fitted scikit-learn
estimator or pipeline saved with joblib/pickle (``.joblib``, ``.pkl``, ``.pickle``; fed a pandas
DataFrame of the ``features`` columns when it knows feature names, else a 2-D array), or an ONNX
model (``.onnx``, run with onnxruntime; one tensor of all feature columns in order, or one named
input per column as skl2onnx makes for mixed types). Its outputs may be the task's labels, 0/1,
or probabilities (thresholded at 0.5); its identity is the file's sha256.

The run folder is the one of LLM runs (:mod:`puhui.evals.runfolder`): ``plan.json`` (frozen
before any prediction, with the train/test row counts), ``log.jsonl`` (one record per test row:
label, prediction, groups; appended, so a killed run resumes where it stopped),
``summary.json`` rebuilt from the log, and ``manifest.json``.

(Over 600 lines for now: the user's model files — pickle and ONNX loading, ``to_binary`` —
are the part to move into a module of their own next; everything else is this one kind.)
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import warnings
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from puhui._version import __version__
from puhui.artifacts import sha256_file
from puhui.config import Settings
from puhui.errors import PuhuiError
from puhui.evals import metrics as metric_registry
from puhui.evals.data import inside_suite, need, read_data_file
from puhui.evals.runfolder import (
    LOG_SCHEMA,
    LogAppender,
    freeze_plan,
    json_line,
    read_log,
    read_plan,
    record_key,
    seal,
)
from puhui.evals.stats import MIN_N, bootstrap, rounded, slice_ci
from puhui.evals.types import Progress, RunOptions, Suite, Task, TaskKind, Template
from puhui.i18n import _

NAME = "classify"
DEMO = "demo-classifier"
LANG = "zxx"  # BCP-47 "no linguistic content": rows of a table have no language
_OPS = ("==", "!=", "<", "<=", ">", ">=")
_MISSING = ("", "?", "NA", "N/A")


# ---------------------------------------------------------------- suite fields


def parse_table(t: Mapping[str, Any], at: str) -> dict[str, Any]:
    """Validate the classify fields of one task of suite.yaml; return them as plain data."""

    def need_list(key: str) -> list[str]:
        v = t.get(key)
        if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
            raise PuhuiError(
                _("{at}.{key}: expected a non-empty list of column names").format(at=at, key=key),
                None,
            )
        return list(v)

    for key in ("target", "positive_label"):
        if not isinstance(t.get(key), str | int | bool):
            raise PuhuiError(_("{at}: missing field {key!r}").format(at=at, key=key), None)
    if not t.get("data") and not t.get("data_package"):
        raise PuhuiError(
            _("{at}: a classify task needs `data` or `data_package`").format(at=at), None
        )
    split = t.get("split") or {"test_fraction": 0.3, "seed": 0}
    if not isinstance(split, dict) or not ("column" in split or "test_fraction" in split):
        raise PuhuiError(
            _("{at}.split: give {{column, train, test}} or {{test_fraction, seed}}").format(at=at),
            None,
        )
    filters = t.get("filters") or []
    for f in filters:
        if not (isinstance(f, dict) and f.get("op") in _OPS and "column" in f and "value" in f):
            raise PuhuiError(
                _("{at}.filters: each filter is {{column, op, value}}, op one of {ops}").format(
                    at=at, ops=" ".join(_OPS)
                ),
                None,
            )
    metrics = list(
        metric_registry.check(list(t.get("metrics") or metric_registry.names(NAME)), NAME, at)
    )
    pkg = t.get("data_package")
    if pkg is not None and not (isinstance(pkg, dict) and {"package", "path"} <= set(pkg)):
        raise PuhuiError(_("{at}.data_package: expected {{package, path}}").format(at=at), None)
    return {
        "data": t.get("data"),
        "data_package": dict(pkg) if pkg else None,
        "target": str(t["target"]),
        "positive_label": str(t["positive_label"]),
        "features": need_list("features"),
        "sensitive": need_list("sensitive"),
        "split": dict(split),
        "filters": [dict(f) for f in filters],
        "metrics": metrics,
        "hint": str(t["hint"]) if t.get("hint") else None,
    }


def default_model(settings: Settings) -> str:
    """The classifier a classify run uses when none is named: the demo classifier."""
    del settings
    return DEMO


def parse(
    t: Mapping[str, Any],
    at: str,
    suite_name: str,
    suite_dir: Path,
    data_override: Path | None = None,
) -> Task:
    """Validate one classify task of suite.yaml; its table is read when the task runs."""
    tname = need(t, "name", str, at)
    table = parse_table(t, at)
    if table.get("data"):
        inside_suite(suite_dir, str(table["data"]), f"{at}.data")
    if data_override is not None:
        table["data_path"] = str(data_override)
    return Task(
        suite=suite_name,
        name=tname,
        samples=(),
        template=Template(user=""),
        scorer="exact",
        metrics=tuple(table["metrics"]),
        kind=NAME,
        table=table,
        suite_dir=suite_dir,
    )


def resolve_data(task: Task) -> Path:
    """The table's file: the suite's own copy, else an installed package's file."""
    table = task.table
    tried: list[str] = []
    if table.get("data_path"):
        return Path(table["data_path"])
    if table.get("data") and task.suite_dir is not None:
        p = task.suite_dir / str(table["data"])
        if p.is_file():
            return p
        tried.append(str(p))
    pkg = table.get("data_package")
    if pkg:
        try:
            files = metadata.files(str(pkg["package"])) or []
        except metadata.PackageNotFoundError:
            files = []
        for f in files:
            if str(f).replace("\\", "/") == pkg["path"]:
                return Path(str(f.locate()))
        tried.append(f"{pkg['package']}:{pkg['path']}")
    raise PuhuiError(
        _("{task}: data not found (looked in {where})").format(
            task=task.key, where=", ".join(tried)
        ),
        str(table.get("hint") or _("put the table at the `data:` path of suite.yaml")),
    )


# ---------------------------------------------------------------- the table


def _read_rows(path: Path) -> list[dict[str, str]]:
    raw = read_data_file(path)  # bounded, also when gzipped
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


def _num(v: str) -> float | None:
    try:
        return float(v)
    except ValueError:
        return None


def _keep(row: Mapping[str, str], f: Mapping[str, Any]) -> bool:
    a, b = row.get(str(f["column"]), ""), f["value"]
    x, y = _num(a), _num(str(b))
    left: Any = x if x is not None and y is not None else a
    right: Any = y if x is not None and y is not None else str(b)
    op = f["op"]
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if x is None or y is None:
        return False
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def load_table(task: Task, path: Path) -> dict[str, Any]:
    """Rows of the table split into train and test, with labels and sensitive groups."""
    table = task.table
    rows = _read_rows(path)
    need = [table["target"], *table["features"], *table["sensitive"]]
    split = table["split"]
    if "column" in split:
        need.append(split["column"])
    if rows:
        missing = [c for c in need if c not in rows[0]]
        if missing:
            raise PuhuiError(
                _("{task}: columns not in {p}: {cols}").format(
                    task=task.key, p=path, cols=", ".join(missing)
                ),
                _("fix `features`, `sensitive` or `target` in suite.yaml"),
            )
    ids = [str(i) for i in range(len(rows))]
    keep = [i for i, r in enumerate(rows) if all(_keep(r, f) for f in table["filters"])]
    if "column" in split:
        col = str(split["column"])
        train = [i for i in keep if rows[i][col] == str(split.get("train", "train"))]
        test = [i for i in keep if rows[i][col] == str(split.get("test", "test"))]
    else:
        order = list(keep)
        random.Random(int(split.get("seed", 0))).shuffle(order)
        cut = round(len(order) * float(split["test_fraction"]))
        test, train = sorted(order[:cut]), sorted(order[cut:])
    if not train or not test:
        raise PuhuiError(_("{task}: the train or test split is empty").format(task=task.key), None)
    numeric = [
        c
        for c in table["features"]
        if all(_num(rows[i][c]) is not None for i in keep if rows[i][c] not in _MISSING)
    ]

    def x(idx: list[int]) -> np.ndarray:
        return np.array(
            [
                [
                    (_num(rows[i][c]) if rows[i][c] not in _MISSING else np.nan)
                    if c in numeric
                    else rows[i][c]
                    for c in table["features"]
                ]
                for i in idx
            ],
            dtype=object,
        )

    def y(idx: list[int]) -> np.ndarray:
        return np.array([int(rows[i][table["target"]] == table["positive_label"]) for i in idx])

    return {
        "x_train": x(train),
        "y_train": y(train),
        "x_test": x(test),
        "y_test": y(test),
        "test_ids": [ids[i] for i in test],
        "test_labels": [rows[i][table["target"]] for i in test],
        "test_groups": [{g: rows[i][g] for g in table["sensitive"]} for i in test],
        "numeric": [table["features"].index(c) for c in numeric],
        "categorical": [i for i, c in enumerate(table["features"]) if c not in numeric],
        "n_train": len(train),
    }


# ---------------------------------------------------------------- the demo classifier


def demo_identity(seed: int) -> str:
    import sklearn

    model = "onehot+scale LogisticRegression(C=1,max_iter=1000)"
    return f"sklearn-{sklearn.__version__} {model} seed={seed}"


def train_demo(data: Mapping[str, Any], seed: int) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import (
        OneHotEncoder,
        StandardScaler,
    )

    prep = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(), StandardScaler()), data["numeric"]),
            ("cat", OneHotEncoder(handle_unknown="ignore"), data["categorical"]),
        ]
    )
    model = Pipeline(
        [("prep", prep), ("clf", LogisticRegression(C=1.0, max_iter=1000, random_state=seed))]
    )
    model.fit(data["x_train"], data["y_train"])
    return model


# ---------------------------------------------------------------- the user's own classifier

_FILE_KINDS = {".joblib": "sklearn", ".pkl": "sklearn", ".pickle": "sklearn", ".onnx": "onnx"}


def model_file(name: str) -> Path | None:
    """The user's model file that ``--model`` names, or None for the demo classifier."""
    if name == DEMO:
        return None
    p = Path(name).expanduser()
    if p.suffix.lower() not in _FILE_KINDS:
        raise PuhuiError(
            _("model {m!r} is not a classifier for classify tasks").format(m=name),
            _("use `model='{demo}'`, or a scikit-learn .joblib/.pkl file or an .onnx file").format(
                demo=DEMO
            ),
        )
    if not p.is_file():
        raise PuhuiError(
            _("model file {p} not found").format(p=p),
            _("give the path of a .joblib, .pkl or .onnx classifier"),
        )
    return p


def trust_note(name: str) -> str | None:
    """The one-line note to print before a pickle is loaded; also checks the file exists."""
    p = model_file(name)
    if p is None or _FILE_KINDS[p.suffix.lower()] != "sklearn":
        return None
    return _(
        "note: loading {p} runs the code inside it (pickle); load only files you trust"
    ).format(p=p)


def _frame(table: Mapping[str, Any], data: Mapping[str, Any]) -> Any:
    """The test rows as a pandas DataFrame: numeric columns float, the others text."""
    import pandas as pd

    x = data["x_test"]
    cols: dict[str, Any] = {}
    for i, c in enumerate(table["features"]):
        if i in data["numeric"]:
            cols[c] = x[:, i].astype(float)
        else:
            cols[c] = [str(v) for v in x[:, i]]
    return pd.DataFrame(cols)


def _predict_sklearn(path: Path, table: Mapping[str, Any], data: Mapping[str, Any]) -> Any:
    import joblib

    try:
        model = joblib.load(path)
    except Exception as e:
        raise PuhuiError(
            _("cannot load {p}: {why}").format(p=path, why=_first_line(e)),
            _("give a fitted scikit-learn estimator saved with joblib.dump or pickle"),
        ) from None
    if not hasattr(model, "predict"):
        raise PuhuiError(
            _("{p} holds a {t}, not a classifier with predict()").format(
                p=path, t=type(model).__name__
            ),
            None,
        )
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        missing = [str(n) for n in names if str(n) not in table["features"]]
        if missing:
            raise PuhuiError(
                _("{p} expects columns that are not the task's features: {cols}").format(
                    p=path, cols=", ".join(missing[:8])
                ),
                _("train it on the `features` columns of suite.yaml"),
            )
        x: Any = _frame(table, data)[[str(n) for n in names]]
    elif not data["categorical"]:
        x = data["x_test"].astype(float)
    else:
        x = data["x_test"]
    try:
        return model.predict(x)
    except Exception as e:
        raise PuhuiError(
            _("{p}: predict() failed: {why}").format(p=path, why=_first_line(e)),
            _("the model gets the `features` columns of suite.yaml, in that order"),
        ) from None


_ONNX_TYPES = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(string)": object,
}


def _onnx_column(path: Path, name: str, values: np.ndarray, onnx_type: str) -> np.ndarray:
    dtype = _ONNX_TYPES.get(onnx_type)
    if dtype is None:
        raise PuhuiError(
            _("{p}: input {n!r} has type {t}, which Puhui cannot feed").format(
                p=path, n=name, t=onnx_type
            ),
            _("use float, double, int64, int32 or string inputs"),
        )
    if dtype is object:
        return np.array([str(v) for v in values.ravel()], dtype=object).reshape(values.shape)
    try:
        out = values.astype(np.float64)
    except (TypeError, ValueError):
        raise PuhuiError(
            _("{p}: input {n!r} is numeric ({t}) but its columns hold text").format(
                p=path, n=name, t=onnx_type
            ),
            _("convert the model with a string input for text columns (one input per column)"),
        ) from None
    if dtype in (np.int64, np.int32) and np.isnan(out).any():
        raise PuhuiError(
            _("{p}: input {n!r} is an integer tensor but the data has missing values").format(
                p=path, n=name
            ),
            _("convert the model with a float input for that column"),
        )
    return out.astype(dtype)


def _predict_onnx(path: Path, table: Mapping[str, Any], data: Mapping[str, Any]) -> Any:
    try:
        import onnxruntime as ort
    except ImportError:
        raise PuhuiError(
            _("{p} needs onnxruntime, which is not installed").format(p=path),
            _("install puhui[ml] (pip install 'puhui[ml]'), or pip install onnxruntime"),
        ) from None
    try:
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as e:
        raise PuhuiError(
            _("cannot load {p}: {why}").format(p=path, why=_first_line(e)), None
        ) from None
    features: list[str] = list(table["features"])
    x = data["x_test"]
    inputs = sess.get_inputs()
    feeds: dict[str, np.ndarray] = {}
    if len(inputs) == 1 and not (len(features) == 1 and inputs[0].name == features[0]):
        feeds[inputs[0].name] = _onnx_column(path, inputs[0].name, x, inputs[0].type)
    else:
        unknown = [i.name for i in inputs if i.name not in features]
        if unknown:
            raise PuhuiError(
                _("{p}: inputs {names} are not the task's features").format(
                    p=path, names=", ".join(unknown[:8])
                ),
                _("give one tensor of all features in order, or one input named after each"),
            )
        for i in inputs:
            col = x[:, features.index(i.name)].reshape(-1, 1)
            feeds[i.name] = _onnx_column(path, i.name, col, i.type)
    try:
        return sess.run(None, feeds)[0]
    except Exception as e:
        raise PuhuiError(
            _("{p}: the ONNX model failed to run: {why}").format(p=path, why=_first_line(e)),
            None,
        ) from None


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"


def to_binary(raw: Any, labels: Sequence[str], positive: str, path: Path) -> np.ndarray:
    """A model's outputs as 0/1: the task's label strings, 0/1, or probabilities (≥ 0.5)."""
    a = np.asarray(raw)
    if a.ndim == 2 and a.shape[1] in (1, 2):
        a = a[:, -1]  # a column of P(positive), or [P(negative), P(positive)]
    a = a.ravel()
    known = set(labels) | {positive}
    if a.dtype.kind in "USO":
        text = np.array([str(v) for v in a])
        seen = set(text.tolist())
        if seen <= known:
            return np.asarray(text == positive, dtype=int)
        if seen <= {"0", "1"}:
            return text.astype(int)
    elif a.dtype.kind == "b":
        return a.astype(int)
    elif a.dtype.kind in "iuf" and not np.isnan(a.astype(float)).any():
        f = a.astype(float)
        if set(np.unique(f).tolist()) <= {0.0, 1.0}:
            return f.astype(int)
        if a.dtype.kind == "f" and f.min() >= 0.0 and f.max() <= 1.0:
            return (f >= 0.5).astype(int)
        text = np.array([str(int(v)) if float(v).is_integer() else str(v) for v in f])
        if set(text.tolist()) <= known:
            return np.asarray(text == positive, dtype=int)
    seen_list = sorted({str(v) for v in a.tolist()})
    shown = ", ".join(seen_list[:6]) + (" …" if len(seen_list) > 6 else "")
    raise PuhuiError(
        _(
            "{p}: the model's outputs ({seen}) are neither the task's labels ({labels}) "
            "nor 0/1 or probabilities"
        ).format(p=path.name, seen=shown, labels=", ".join(sorted(known))),
        _("train the model on the task's target column, or on 0/1 with 1 = {pos!r}").format(
            pos=positive
        ),
    )


def predict_user(path: Path, table: Mapping[str, Any], data: Mapping[str, Any]) -> np.ndarray:
    """0/1 predictions of the user's model file for the test rows."""
    if _FILE_KINDS[path.suffix.lower()] == "onnx":
        raw = _predict_onnx(path, table, data)
    else:
        raw = _predict_sklearn(path, table, data)
    if len(np.asarray(raw)) != len(data["x_test"]):
        raise PuhuiError(
            _("{p}: {n} predictions for {m} test rows").format(
                p=path.name, n=len(np.asarray(raw)), m=len(data["x_test"])
            ),
            None,
        )
    return to_binary(raw, sorted(set(data["test_labels"])), table["positive_label"], path)


# ---------------------------------------------------------------- metrics


def _rate(cond_col: int | None, cond_val: int, col: int) -> Callable[[np.ndarray], float]:
    def f(a: np.ndarray) -> float:
        sub = a if cond_col is None else a[a[:, cond_col] == cond_val]
        return float(np.mean(sub[:, col])) if len(sub) else float("nan")

    return f


def _accuracy(a: np.ndarray) -> float:
    return float(np.mean(a[:, 0] == a[:, 1])) if len(a) else float("nan")


# metric -> (bootstrap statistic over rows [y_true, y_pred], which rows count for n)
_STATS: dict[str, tuple[Callable[[np.ndarray], float], int | None]] = {
    "accuracy": (_accuracy, None),
    "selection_rate": (_rate(None, 0, 1), None),
    "tpr": (_rate(0, 1, 1), 1),
    "fpr": (_rate(0, 0, 1), 0),
}


_r = rounded


def _entry(
    key: str, name: str, value: float, a: np.ndarray, metric: str, seed: int
) -> dict[str, Any]:
    stat, counted = _STATS[metric]
    n = len(a) if counted is None else int(np.sum(a[:, 0] == counted))
    return slice_ci(key, name, value, n, a, stat, seed)


def _gap(
    groups: np.ndarray, stat: Callable[[np.ndarray], float], how: str
) -> Callable[[np.ndarray], float]:
    """Between-group difference (max − min) or ratio (min / max) of ``stat`` over columns 0,1;
    column 2 holds the group code."""

    def f(a: np.ndarray) -> float:
        vals = [stat(a[a[:, 2] == g]) for g in groups]
        vals = [v for v in vals if not np.isnan(v)]
        if len(vals) < 2:
            return float("nan")
        hi, lo = max(vals), min(vals)
        if how == "difference":
            return hi - lo
        return lo / hi if hi > 0 else float("nan")

    return f


def _eo(groups: np.ndarray, how: str) -> Callable[[np.ndarray], float]:
    tpr, fpr = _gap(groups, _STATS["tpr"][0], how), _gap(groups, _STATS["fpr"][0], how)

    def f(a: np.ndarray) -> float:
        t, p = tpr(a), fpr(a)
        if np.isnan(t) or np.isnan(p):
            return float("nan")
        return max(t, p) if how == "difference" else min(t, p)

    return f


def summarize_classify(
    records: Sequence[Mapping[str, Any]], metrics: Sequence[str], seed: int
) -> dict[str, Any]:
    """Metrics of one classify task from its log records, per sensitive group, with CIs."""
    from fairlearn.metrics import (
        MetricFrame,
        demographic_parity_difference,
        demographic_parity_ratio,
        equalized_odds_difference,
        equalized_odds_ratio,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score

    fns = {
        "accuracy": accuracy_score,
        "selection_rate": selection_rate,
        "tpr": true_positive_rate,
        "fpr": false_positive_rate,
    }
    y = np.array([int(r["label"]) for r in records])
    p = np.array([int(r["prediction"]) for r in records])
    attrs = sorted({g for r in records for g in r.get("groups") or {}})
    rows = np.column_stack([y, p]).astype(float)
    out: dict[str, Any] = {
        "n": len(records),
        "errors": 0,
        "errors_by_language": {},
        "metrics": {},
        "fairness": {},
    }
    frames: dict[str, Any] = {}
    group_cols: dict[str, np.ndarray] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty TPR/FPR denominators in tiny groups
        for attr in attrs:
            group_cols[attr] = np.array([str((r.get("groups") or {}).get(attr)) for r in records])
            frames[attr] = MetricFrame(
                metrics={m: fns[m] for m in metrics},
                y_true=y,
                y_pred=p,
                sensitive_features=group_cols[attr],
            )
        overall_frame = MetricFrame(
            metrics={m: fns[m] for m in metrics},
            y_true=y,
            y_pred=p,
            sensitive_features=np.zeros(len(y), dtype=int),
        )
        for m in metrics:
            per_group: dict[str, list[dict[str, Any]]] = {}
            diffs: dict[str, float | None] = {}
            ratios: dict[str, float | None] = {}
            for attr in attrs:
                mf, col = frames[attr], group_cols[attr]
                by = mf.by_group[m]
                per_group[attr] = [
                    _entry("group", str(g), by[g], rows[col == g], m, seed)
                    for g in sorted(by.index)
                ]
                diffs[attr] = _r(mf.difference(method="between_groups")[m])
                ratios[attr] = _r(mf.ratio(method="between_groups")[m])
            overall = _entry("language", "all", overall_frame.overall[m], rows, m, seed)
            out["metrics"][m] = {
                "overall": overall,
                "per_language": [],
                "per_group": per_group,
                "difference": diffs,
                "ratio": ratios,
                "worst_language": None,
                "small_slices": [],
                "small_groups": [
                    f"{a}={s['group']}" for a, ss in per_group.items() for s in ss if s["small"]
                ],
            }
        for attr in attrs:
            col = group_cols[attr]
            values = sorted(set(col.tolist()))
            codes = np.array([values.index(v) for v in col], dtype=float)
            coded = np.column_stack([y, p, codes]).astype(float)
            gs = np.arange(len(values), dtype=float)
            sel = _STATS["selection_rate"][0]
            found = {
                "demographic_parity_difference": (
                    demographic_parity_difference(y, p, sensitive_features=col),
                    _gap(gs, sel, "difference"),
                ),
                "demographic_parity_ratio": (
                    demographic_parity_ratio(y, p, sensitive_features=col),
                    _gap(gs, sel, "ratio"),
                ),
                "equalized_odds_difference": (
                    equalized_odds_difference(y, p, sensitive_features=col),
                    _eo(gs, "difference"),
                ),
                "equalized_odds_ratio": (
                    equalized_odds_ratio(y, p, sensitive_features=col),
                    _eo(gs, "ratio"),
                ),
            }
            entry: dict[str, Any] = {}
            for name, (value, stat) in found.items():
                low, high = bootstrap(coded, stat, seed)
                entry[name] = {"value": _r(value), "ci_low": _r(low), "ci_high": _r(high)}
            entry["small_groups"] = [v for v in values if int(np.sum(col == v)) < MIN_N]
            out["fairness"][attr] = entry
    return out


# ---------------------------------------------------------------- runs


def run(
    suite: Suite,
    model_name: str,
    out: Path,
    opts: RunOptions,
    settings: Settings,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train (or load) the classifier, predict every test row, log it and summarize.

    The plan (with each task's row counts) is frozen before any prediction; the same command
    again predicts only the tasks whose rows are not all in the log, and logs only the missing
    rows (training is deterministic, so the predictions are the same)."""
    del settings  # no model registry or cache: the demo is trained here, a file is read
    user = model_file(model_name)
    if any(t.kind != NAME for t in suite.tasks):
        raise PuhuiError(
            _("suite {s!r} mixes classify and generate tasks").format(s=suite.name),
            _("put classify tasks in a suite of their own"),
        )
    loaded = {t.key: (t, resolve_data(t)) for t in suite.tasks}
    tables = {key: load_table(task, path) for key, (task, path) in loaded.items()}
    plan: dict[str, Any] = {
        "schema": LOG_SCHEMA,
        "kind": NAME,
        "puhui_version": __version__,
        "suite": suite.name,
        "suite_path": str(suite.path),
        "tasks": {
            key: {
                "kind": NAME,
                "data_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "metrics": list(t.table["metrics"]),
                **{
                    k: t.table[k]
                    for k in (
                        "target",
                        "positive_label",
                        "features",
                        "sensitive",
                        "split",
                        "filters",
                    )
                },
                "rows": {"train": tables[key]["n_train"], "test": len(tables[key]["test_ids"])},
            }
            for key, (t, path) in loaded.items()
        },
        "thresholds": {k: dict(v) for k, v in suite.thresholds.items()},
        "model": (
            {"name": DEMO, "kind": "sklearn", "identity": demo_identity(opts.seed)}
            if user is None
            else {
                "name": user.name,
                "kind": "onnx" if _FILE_KINDS[user.suffix.lower()] == "onnx" else "sklearn-file",
                "identity": "sha256:" + sha256_file(user),
            }
        ),
        "options": {"seed": opts.seed},
    }
    if user is not None:
        plan["model_path"] = str(user.resolve())
    plan["samples"] = sum(len(d["test_ids"]) for d in tables.values())
    freeze_plan(out, plan)
    done = {record_key(r) for r in read_log(out)}
    total = 0
    with LogAppender(out) as log:
        for key, (task, _path) in loaded.items():
            data = tables[key]
            total += len(data["test_ids"])
            if all(f"{key}|{sid}|0" in done for sid in data["test_ids"]):
                continue
            if user is None:
                pred = train_demo(data, opts.seed).predict(data["x_test"])
            else:
                pred = predict_user(user, task.table, data)
            for sid, label, groups, yt, yp in zip(
                data["test_ids"],
                data["test_labels"],
                data["test_groups"],
                data["y_test"],
                pred,
                strict=True,
            ):
                if f"{key}|{sid}|0" in done:
                    continue
                record = {
                    "schema": LOG_SCHEMA,
                    "task": key,
                    "sample_id": sid,
                    "epoch": 0,
                    "lang": LANG,
                    "groups": groups,
                    "target": label,
                    "label": int(yt),
                    "prediction": int(yp),
                    "score": {"value": float(int(yt) == int(yp))},
                }
                log.write(json_line(record))
            if progress:
                progress(total, total)
    return finish(out)


def finish(out: Path) -> dict[str, Any]:
    """Summarize a classify run's log into ``summary.json`` and seal it with a manifest."""
    plan = read_plan(out)
    by_task: dict[str, list[dict[str, Any]]] = {}
    for r in read_log(out):
        by_task.setdefault(r["task"], []).append(r)
    seed = int(plan["options"]["seed"])
    tasks = {
        key: summarize_classify(by_task[key], info["metrics"], seed)
        for key, info in plan["tasks"].items()
        if key in by_task
    }
    return seal(out, plan, tasks, sum(len(v) for v in by_task.values()), kind=NAME)


#: The classify kind as the kind registry (:mod:`puhui.evals.kinds`) holds it.
KIND = TaskKind(name=NAME, default_model=default_model, parse=parse, run=run, finish=finish)
