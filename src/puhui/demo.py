"""Puhui's main job on bundled data, end to end and offline (what ``puhui demo`` runs).

1. Build and audit a corpus from the bundled messy multilingual demo folder (14 languages,
   planted duplicates, personal data, junk and broken files).
2. Start the model (default: embedded), ask it three questions (English, French, Swahili) and
   save the answers as a verifiable artifact.
3. Evaluate it quickly on bundled suites: topic classification (sib200), harmful prompts in
   several languages (multijail) and over-refusal (xstest), per language with 95% CIs.
4. Train the demo classifier on the Adult census data and measure its fairness by sex and race.
5. Assess the bundled example system (a ministry's Swahili/English/Arabic chatbot) from those
   runs and the corpus: report.html, report.pdf, oscal.json.
6. Sign a certificate for the assessment with a demo key (printable page with a QR code) and
   verify it offline.
7. Start a local hub in the background and publish everything to it (public), with the demo key
   registered as a trusted issuer of the demo organization, and both bundled courses.
8. Run a training programme on that hub: a synthetic roster of clearly fake people, three
   sessions of attendance, completion credentials (Open Badges 3.0) and the report of who was
   reached, by gender and country, small numbers hidden.
9. Start a second local hub (its own PUHUI_HOME, ``DEMO/second-hub``) that mirrors the first:
   the first as its peer, pinned to its key, and one sync of its signed change feed.
10. Make a small rating task from the multijail run's Swahili and Arabic answers (with planted
    gold answers), put it on the first hub and make a one-time invitation link for a rater.

:func:`run_demo` does all of it with the façade (:mod:`puhui.api`) and tells ``on_event`` what
happens as it happens (the CLI draws its progress bars and tables from these events).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from puhui.api import assess, build_corpus, issue_certificate, run_eval, verify_certificate
from puhui.artifacts import Manifest, atomic_write_text, check, input_ref, write_manifest
from puhui.config import Settings, load_settings
from puhui.errors import PuhuiError
from puhui.evals.summary import RunSummary

QUESTIONS = (
    ("en", "What do plants need to grow?"),
    ("fr", "Qu'est-ce que l'intelligence artificielle ?"),
    ("sw", "Kwa nini elimu ni muhimu?"),
)
SYSTEM = "You are a helpful assistant. Answer briefly, in the language of the question."
MAX_TOKENS = 64
# suite, languages, samples per language: small enough to finish in about a minute on one core
DEMO_EVALS = (
    ("sib200", ("en", "sw", "yo", "ar", "hi"), 2),
    ("multijail", ("en", "sw", "ar", "zh"), 1),
    ("xstest", (), 3),
)
DEMO_CLASSIFIER = "demo-classifier"  # what classify suites use when no model is named
DEMO_USER = "demo"
DEMO_ORG = "demo"

#: ``on_event(name, data)``: ``corpus:start``, ``corpus`` (BuildResult); ``answers:start``
#: (model, total), ``answers:ask`` (language), ``answers:answered``, ``answers:done``,
#: ``answers`` (rows, manifest, out);
#: ``evals:start``, ``eval:start`` (suite), ``eval:progress`` (suite, done, total), ``eval``
#: (suite, RunSummary), ``evals:done``; ``fairness:start``, ``fairness`` (RunSummary);
#: ``assess:start``, ``assessment`` (info); ``hub:start``, ``hub`` (info);
#: ``programme:start``, ``programme`` (info); ``mirror:start``, ``mirror`` (info);
#: ``rating:start``, ``rating`` (info).
OnEvent = Callable[[str, dict[str, Any]], None]


@dataclass
class DemoResult:
    """What :func:`run_demo` made, folder by folder."""

    base: Path
    model: str
    corpus: Any  # puhui.corpus.pipeline.BuildResult
    answers: list[dict[str, Any]]
    answers_dir: Path
    answers_manifest: Manifest
    runs: dict[str, RunSummary] = field(default_factory=dict)
    assessment: dict[str, Any] = field(default_factory=dict)
    hub: dict[str, Any] = field(default_factory=dict)
    programme: dict[str, Any] = field(default_factory=dict)
    mirror: dict[str, Any] = field(default_factory=dict)
    rating: dict[str, Any] = field(default_factory=dict)


def _quiet(_name: str, _data: dict[str, Any]) -> None:
    return None


def run_demo(
    model: str | None = None,
    out: str | Path | None = None,
    *,
    hub: bool = True,
    settings: Settings | None = None,
    on_event: OnEvent | None = None,
) -> DemoResult:
    """Run the demo into ``out`` (default ``$PUHUI_HOME/demo``) with ``model`` (default
    ``embedded``); publish to a local hub unless ``hub`` is False."""
    from puhui.models import get_model

    s = settings or load_settings()
    tell = on_event or _quiet
    spec = get_model(s, model or "embedded")
    base = Path(out) if out is not None else s.home / "demo"
    tell("corpus:start", {})
    corpus = demo_corpus(base / "corpus")
    tell("corpus", {"result": corpus, "out": base / "corpus"})
    rows, manifest = ask(spec.name, base / "answers", s, tell)
    tell("answers", {"rows": rows, "manifest": manifest, "out": base / "answers"})
    result = DemoResult(base, spec.name, corpus, rows, base / "answers", manifest)
    result.runs = demo_evals(base / "runs", spec.name, s, tell)
    tell("fairness:start", {})
    adult = run_eval("adult", DEMO_CLASSIFIER, base / "runs" / "adult", settings=s)
    result.runs["adult"] = adult
    tell("fairness", {"summary": adult, "run": base / "runs" / "adult"})
    runs = [base / "runs" / name for name, _langs, _n in DEMO_EVALS] + [base / "runs" / "adult"]
    tell("assess:start", {})
    result.assessment, system = assess_and_certify(base, [*runs, base / "corpus"])
    tell("assessment", {"info": result.assessment, "system": system})
    if hub:
        artifacts = [
            *cards_and_suites(base, spec.name, runs, s),
            base / "corpus",
            *runs,
            base / "assessment",
            base / "certificate.json",
        ]
        tell("hub:start", {})
        result.hub = publish_to_hub(base, artifacts, s)
        tell("hub", result.hub)
    tell("programme:start", {})
    result.programme = demo_programme(base)
    tell("programme", result.programme)
    if hub:
        tell("mirror:start", {})
        result.mirror = mirror_hub(base, str(result.hub["url"]), s)
        tell("mirror", result.mirror)
        tell("rating:start", {})
        result.rating = demo_rating(base, str(result.hub["url"]), s)
        tell("rating", result.rating)
    return result


DEMO_RATING_LANGUAGES = ("sw", "ar")


def demo_rating(base: Path, url: str, settings: Settings) -> dict[str, Any]:
    """A small rating task (refusal, three raters per answer) from the multijail run's Swahili
    and Arabic answers, published to the hub at ``url`` with one rater invitation."""
    from puhui.hub import accounts, client
    from puhui.rating.task import new_task

    task, _created = new_task(
        settings,
        base / "runs" / "multijail",
        questions=("refusal",),
        languages=DEMO_RATING_LANGUAGES,
        overlap=3,
        gold=1,
        title="Does the demo model refuse? (Swahili and Arabic)",
    )
    token = accounts.local_publisher(DEMO_USER, DEMO_ORG, "Puhui demo", base / "hub-password.txt")
    published = client.rating_publish(url, token, DEMO_ORG, task.to_json())
    invite = client.rating_invite(url, token, task.id, list(DEMO_RATING_LANGUAGES), 14)
    return {
        "id": task.id,
        "items": sum(1 for i in task.items if not i.is_gold),
        "gold_items": sum(1 for i in task.items if i.is_gold),
        "languages": list(task.languages),
        "url": published.get("url"),
        "invite": invite.get("url"),
    }


DEMO_PROGRAMME = "AI for officials (demo)"
DEMO_SESSIONS = ("day-1", "day-2", "day-3")


def demo_programme(base: Path, people: int = 120) -> dict[str, Any]:
    """A training programme on this machine's hub: a synthetic roster of clearly fake people,
    three sessions of attendance, completion credentials signed with the demo key, and the
    report of who was reached (HTML, PDF, CSV) in ``base/programme``. Running it again adds
    nobody twice."""
    import csv

    from puhui.hub import accounts
    from puhui.hub.programmes import report, service
    from puhui.programmes import synthetic
    from puhui.programmes.roster import write_roster

    accounts.open_database()
    folder = base / "programme"
    folder.mkdir(parents=True, exist_ok=True)
    # six countries: enough people per group that the report shows numbers, not only "<5"
    roster = synthetic.roster(people, countries=synthetic.COUNTRIES[:6])
    write_roster(roster, folder / "roster.csv")
    with (folder / "attendance.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["email", "session", "present"])
        for m in synthetic.attendance(roster, DEMO_SESSIONS):
            w.writerow([m.key.removeprefix("mailto:"), m.session, "yes" if m.present else "no"])
    try:
        cohort = service.find_cohort(DEMO_PROGRAMME, org=DEMO_ORG)
    except PuhuiError:
        cohort = service.new_programme(
            DEMO_PROGRAMME,
            org=DEMO_ORG,
            description="A three-day workshop on AI for public officials (synthetic people).",
        )
    service.import_roster(cohort, folder / "roster.csv")
    service.import_attendance(cohort, folder / "attendance.csv")
    key_dir = base / "keys"
    if not (key_dir / "private.json").exists():
        from puhui.certify import keys

        keys.create_key_dir(key_dir, name="Puhui demo issuer")
    done = service.complete(cohort, key_dir, folder / "credentials")
    paths = report.write(cohort.programme, folder)
    return {
        "programme": cohort.programme.slug,
        "cohort": f"{cohort.programme.slug}/{cohort.slug}",
        "participants": len(roster),
        "credentials": len(done.written),
        "incomplete": len(done.incomplete),
        "credentials_dir": str(folder / "credentials"),
        "reach_html": str(paths["html"]),
        "reach_pdf": str(paths["pdf"]),
        "reach_csv": str(paths["csv"]),
    }


def demo_corpus(out: Path) -> Any:
    """Build the bundled demo corpus into ``out``, from scratch."""
    raw = Path(str(resources.files("puhui.content").joinpath("demo_corpus", "raw")))
    return build_corpus([raw], out, workers=2, restart=True, name="Puhui demo corpus")


def ask(
    model: str, out: Path, settings: Settings, tell: OnEvent
) -> tuple[list[dict[str, Any]], Manifest]:
    """Ask ``model`` the three questions; save the answers in ``out`` as a ``demo`` artifact."""
    from puhui.models import get_model, open_model

    spec = get_model(settings, model)
    rows = []
    tell("answers:start", {"model": spec.name, "total": len(QUESTIONS)})
    with open_model(spec.name, settings) as chat_model:
        for lang, question in QUESTIONS:
            tell("answers:ask", {"language": lang})
            answer = chat_model.chat(
                [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
                max_tokens=MAX_TOKENS,
            )
            rows.append({"language": lang, "question": question, **answer.as_dict()})
            tell("answers:answered", {})
    tell("answers:done", {})
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(
        out / "answers.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    )
    inputs = [input_ref(spec.gguf, name=f"model:{spec.name}")] if spec.gguf else []
    write_manifest(
        out,
        "demo",
        parameters={"model": spec.name, "max_tokens": MAX_TOKENS, "temperature": 0.0},
        inputs=inputs,
        command="puhui demo",
    )
    return rows, check(out)


def demo_evals(runs: Path, model: str, settings: Settings, tell: OnEvent) -> dict[str, RunSummary]:
    """Quick runs of the three bundled suites of :data:`DEMO_EVALS` into ``runs/SUITE``."""
    results: dict[str, RunSummary] = {}
    tell("evals:start", {})
    for name, langs, limit in DEMO_EVALS:
        tell("eval:start", {"suite": name})

        def update(done: int, total: int, name: str = name) -> None:
            tell("eval:progress", {"suite": name, "done": done, "total": total})

        summary = run_eval(
            name, model, runs / name, limit=limit, languages=langs, settings=settings,
            progress=update,
        )  # fmt: skip
        results[name] = summary
        tell("eval", {"suite": name, "summary": summary, "run": runs / name})
    tell("evals:done", {"runs": runs})
    return results


def bundled_inputs(dest: Path) -> tuple[Path, Path]:
    """Copy the bundled demo profile, answers and evidence documents to ``dest`` (editable)."""
    src = Path(str(resources.files("puhui.content").joinpath("demo_assessment")))
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    return dest / "profile.yaml", dest / "answers.yaml"


def assess_and_certify(base: Path, evidence: list[Path]) -> tuple[dict[str, Any], str]:
    """Assess (report, PDF, OSCAL), then issue and verify a certificate; return where they
    are, and the system's name."""
    from puhui.certify import keys

    profile, answers = bundled_inputs(base / "inputs")
    out = base / "assessment"
    assessment = assess(profile, evidence, out, answers=answers)
    key_dir = base / "keys"
    if not (key_dir / keys.PRIVATE).exists():
        keys.create_key_dir(key_dir, name="Puhui demo issuer")
    cert = issue_certificate(assessment, key_dir, base / "certificate.json", valid_days=365)
    result = verify_certificate(
        cert.credential, report_dir=out, status_list=key_dir / keys.STATUS_LIST
    )
    info = {
        "assessment": str(out),
        "report_html": str(out / "report.html"),
        "report_pdf": str(out / "report.pdf"),
        "oscal": str(out / "oscal.json"),
        "eu_ai_act_tier": assessment.eu_ai_act_tier,
        "certificate": str(cert.path),
        "certificate_pdf": str(cert.path.with_suffix(".pdf")),
        "certificate_valid": result.valid,
        "verification": result.to_dict(),
    }
    return info, assessment.system.name


def cards_and_suites(base: Path, model: str, runs: list[Path], settings: Settings) -> list[Path]:
    """The model's card and the suites the runs used, as artifacts (for the hub's lineage)."""
    from puhui.evals.card import write_card
    from puhui.evals.export import export_suite

    made = []
    card = base / "model-card"
    shutil.rmtree(card, ignore_errors=True)
    llm_runs = [r for r in runs if r.name != "adult"]
    write_card(settings, model, card, llm_runs)
    made.append(card)
    for run in runs:
        folder = base / "suites" / run.name
        shutil.rmtree(folder, ignore_errors=True)
        export_suite(run.name, folder)
        made.append(folder)
    return made


def register_demo_issuer(key_dir: Path, url: str, token: str) -> dict[str, Any]:
    """Register the demo signing key as a trusted issuer of the demo organization, with its
    status list (the hub trusts no key by itself: without this the certificate would show as
    "signature valid, issuer not trusted")."""
    from puhui.certify import credential, keys
    from puhui.hub import client
    from puhui.i18n import _

    pair = keys.load_key_dir(key_dir)
    status_list = credential.load_json_object(key_dir / keys.STATUS_LIST, _("status list"))
    return client.add_issuer(
        url, token, pair.did, org=DEMO_ORG, name=pair.name or "", status_list=status_list
    )


def pack_courses(dest: Path) -> list[Path]:
    """The bundled courses, each packed as a course artifact in ``dest/<id>`` (to publish)."""
    from puhui.learn import list_courses
    from puhui.learn.pack import pack_course

    return [pack_course(folder, dest / folder.name) for folder in list_courses()]


DEMO_PEER = "first"


def mirror_hub(base: Path, first_url: str, settings: Settings) -> dict[str, Any]:
    """A second hub in the background (home ``base/second-hub``, another port) with this
    machine's hub as its peer ``first``, synced once: ``{"url", "peer", "mirrored", "home"}``.
    ``puhui hub stop`` stops it with the first; ``puhui hub sync first`` (with its
    PUHUI_HOME) follows the first again."""
    import subprocess
    import sys

    from puhui.hub import local
    from puhui.hub.federation.identity import hub_did
    from puhui.i18n import _

    home = base / "second-hub"
    info = local.start(settings, 0, home=home)

    def hub(*args: str) -> Any:
        proc = subprocess.run(
            [sys.executable, "-m", "puhui", "hub", *args, "--json"],
            capture_output=True,
            text=True,
            env=local.home_env(home),
            stdin=subprocess.DEVNULL,
            timeout=600,
        )
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["?"])[-1]
            raise PuhuiError(
                _("the second demo hub: puhui hub {a} failed: {why}").format(
                    a=" ".join(args[:2]), why=last[:300]
                ),
                _("see its log: {p}").format(p=info.get("log", home / "hub" / "serve.log")),
            )
        return json.loads(proc.stdout)

    hub("peer", "add", DEMO_PEER, first_url.rstrip("/"), "--key", hub_did())
    hub("sync", DEMO_PEER)
    peer = next(p for p in hub("peer", "list") if p["name"] == DEMO_PEER)
    return {"url": info["url"], "peer": DEMO_PEER, "mirrored": peer["mirrors"], "home": str(home)}


def publish_to_hub(base: Path, artifacts: list[Path], settings: Settings) -> dict[str, Any]:
    """Start (or reuse) a local hub, publish ``artifacts`` to it as public items."""
    from puhui.hub import accounts, client, local

    password_file = base / "hub-password.txt"
    token = accounts.local_publisher(DEMO_USER, DEMO_ORG, "Puhui demo", password_file)
    info = local.start(settings)
    issuer = register_demo_issuer(base / "keys", info["url"], token)
    items = [
        client.publish(path, url=info["url"], token=token, visibility="public", org=DEMO_ORG)
        for path in [*artifacts, *pack_courses(base / "courses")]
    ]
    base_url = str(info["url"]).rstrip("/")
    courses = [
        f"{base_url}/learn/{DEMO_ORG}/{item['name']}/" for item in items if item["kind"] == "course"
    ]
    return {
        **info,
        "learn": f"{base_url}/learn/",
        "courses": courses,
        "user": DEMO_USER,
        "password_file": str(password_file),
        "trusted_issuer": issuer,
        "items": items,
    }
