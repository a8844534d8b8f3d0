"""The user's own classifier on classify suites: a scikit-learn joblib file and its ONNX twin.

A small pipeline is trained here on the Adult train split and saved with joblib; the CLI run
must give the accuracy computed directly, and the ONNX conversion (skl2onnx, one named input
per column) must predict the same labels. Bad files fail with one line.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import onnxruntime  # noqa: F401  (the test extra declares it; the CLI runs .onnx with it)
import pandas as pd
import pytest
import skl2onnx  # noqa: F401  (the test extra declares it)

from puhui.errors import PuhuiError
from puhui.evals.classifiers import to_binary
from puhui.evals.tasks import bundled_dir, load_suite

from conftest import Run, assert_one_line_error

pytestmark = pytest.mark.slow  # trains scikit-learn models and converts them to ONNX


def _table(suite: str) -> tuple[pd.DataFrame, dict[str, Any], list[str], list[str]]:
    """The suite's CSV (text columns as text) with its task fields and numeric/text features."""
    task = load_suite(suite).tasks[0]
    path = bundled_dir() / suite / str(task.table["data"])
    features: list[str] = list(task.table["features"])
    head = pd.read_csv(path, nrows=200)
    numeric = [
        c
        for c in features
        if pd.api.types.is_numeric_dtype(head[c]) and not pd.api.types.is_bool_dtype(head[c])
    ]
    text = [c for c in features if c not in numeric]
    df = pd.read_csv(path, dtype={c: str for c in text}, keep_default_na=False)
    df[numeric] = df[numeric].astype(float)
    return df, dict(task.table), numeric, text


def _pipeline(numeric: list[str], text: list[str]) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    prep = ColumnTransformer(
        [("num", StandardScaler(), numeric), ("cat", OneHotEncoder(handle_unknown="ignore"), text)]
    )
    return Pipeline([("prep", prep), ("clf", LogisticRegression(max_iter=500))])


def _to_onnx(model: Any, numeric: list[str], text: list[str], path: Path) -> Path:
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    types = [
        (c, FloatTensorType([None, 1]) if c in numeric else StringTensorType([None, 1]))
        for c in model.feature_names_in_
    ]
    onx = convert_sklearn(model, initial_types=types, options={"zipmap": False})
    path.write_bytes(onx.SerializeToString())
    return path


@pytest.fixture(scope="module")
def adult(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("adult-user")
    df, table, numeric, text = _table("adult")
    train = df[df["split"] == "train"]
    test = df[df["split"] == "test"]
    features = numeric + text  # another column order than suite.yaml: names decide
    model = _pipeline(numeric, text).fit(train[features], train[table["target"]])
    joblib.dump(model, root / "income.joblib")
    pred = model.predict(test[features])
    return {
        "root": root,
        "model": model,
        "joblib": root / "income.joblib",
        "onnx": _to_onnx(model, numeric, text, root / "income.onnx"),
        "pred": (pred == table["positive_label"]).astype(int),
        "accuracy": float(np.mean(pred == test[table["target"]].to_numpy())),
    }


def _log(out: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]


def test_joblib_model_matches_direct_accuracy(puhui: Run, adult: dict[str, Any]) -> None:
    out = adult["root"] / "run-joblib"
    r = puhui("eval", "run", "adult", "--model", str(adult["joblib"]), "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    assert "only files you trust" in r.stderr
    summary = json.loads(r.stdout)
    assert summary["complete"] and summary["model"]["name"] == "income.joblib"
    assert summary["model"]["kind"] == "sklearn-file"
    digest = hashlib.sha256(adult["joblib"].read_bytes()).hexdigest()
    assert summary["model"]["identity"] == "sha256:" + digest
    task = summary["tasks"]["adult/income"]
    acc = task["metrics"]["accuracy"]
    assert acc["overall"]["value"] == pytest.approx(adult["accuracy"], abs=1e-4)
    assert {g["group"] for g in acc["per_group"]["sex"]} == {"Female", "Male"}
    assert "demographic_parity_difference" in task["fairness"]["sex"]
    p = np.array([r["prediction"] for r in _log(out)])
    assert np.array_equal(p, adult["pred"])


def test_onnx_model_agrees_with_sklearn(puhui: Run, adult: dict[str, Any]) -> None:
    out = adult["root"] / "run-onnx"
    r = puhui("eval", "run", "adult", "--model", str(adult["onnx"]), "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    assert "trust" not in r.stderr  # an ONNX file holds no code
    summary = json.loads(r.stdout)
    assert summary["model"]["kind"] == "onnx"
    p = np.array([r["prediction"] for r in _log(out)])
    # float32 inside ONNX vs float64 in sklearn: rows right at the 0.5 boundary may flip.
    agree = float(np.mean(p == adult["pred"]))
    assert agree >= 0.999, agree
    assert summary["tasks"]["adult/income"]["metrics"]["accuracy"]["per_group"]["race"]


def test_missing_model_file_is_one_line(puhui: Run, tmp_path: Path) -> None:
    r = puhui("eval", "run", "adult", "--model", str(tmp_path / "nope.joblib"))
    assert_one_line_error(r, "nope.joblib", "not found")
    r = puhui("eval", "run", "adult", "--model", "gpt-x", "--json")
    assert_one_line_error(r, "not a classifier", ".onnx")


def test_unknown_labels_are_one_line(puhui: Run, tmp_path: Path) -> None:
    from sklearn.dummy import DummyClassifier

    df, table, numeric, text = _table("german-credit")
    train = df[df["split"] == "train"]
    x, y = train[numeric + text], train[table["target"]].map({"good": "rich", "bad": "poor"})

    # ONNX (no code inside, so no trust note): exactly one line on stderr.
    model = _pipeline(numeric, text).fit(x, y)
    onnx_path = _to_onnx(model, numeric, text, tmp_path / "rich.onnx")
    r = puhui("eval", "run", "german-credit", "--model", str(onnx_path), "--json")
    assert_one_line_error(r, "rich.onnx", "poor", "rich", "good")

    # A pickle: the trust note first, then the one error line naming file and labels.
    joblib.dump(
        DummyClassifier(strategy="most_frequent").fit(x, y.map({"rich": "maybe", "poor": "no"})),
        tmp_path / "m.pkl",
    )
    r = puhui("eval", "run", "german-credit", "--model", str(tmp_path / "m.pkl"), "--json")
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert r.returncode != 0 and len(lines) == 2, r.stderr
    assert lines[0].startswith("note: ") and "trust" in lines[0]
    assert lines[1].startswith("error: ") and "m.pkl" in lines[1] and "maybe" in lines[1]


def test_single_tensor_onnx_and_outputs(tmp_path: Path) -> None:
    """One float tensor of all (numeric) features; 0/1, probabilities and labels map to 0/1."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.linear_model import LogisticRegression

    from puhui.evals.classifiers import predict_user

    rng = np.random.default_rng(0)
    xs = rng.normal(size=(200, 3))
    ys = (xs[:, 0] + xs[:, 1] > 0).astype(int)
    model = LogisticRegression().fit(xs, ys)
    onx = convert_sklearn(model, initial_types=[("X", FloatTensorType([None, 3]))])
    path = tmp_path / "m.onnx"
    path.write_bytes(onx.SerializeToString())
    table = {"features": ["a", "b", "c"], "positive_label": "yes"}
    data = {
        "x_test": xs.astype(object),
        "numeric": [0, 1, 2],
        "categorical": [],
        "test_labels": ["yes", "no"],
    }
    got = predict_user(path, table, data)
    assert float(np.mean(got == model.predict(xs))) >= 0.99

    p = Path("m.bin")
    labels = ["no", "yes"]
    assert to_binary(np.array(["yes", "no"]), labels, "yes", p).tolist() == [1, 0]
    assert to_binary(np.array([1, 0, 1]), labels, "yes", p).tolist() == [1, 0, 1]
    assert to_binary(np.array([0.7, 0.2]), labels, "yes", p).tolist() == [1, 0]
    assert to_binary(np.array([[0.3, 0.7], [0.9, 0.1]]), labels, "yes", p).tolist() == [1, 0]
    assert to_binary(np.array([True, False]), labels, "yes", p).tolist() == [1, 0]
    with pytest.raises(PuhuiError, match=r"m\.bin"):
        to_binary(np.array([3, 4]), labels, "yes", p)
