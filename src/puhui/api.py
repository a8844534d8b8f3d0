"""Puhui from Python: one function per job, each returning a typed result.

:func:`build_corpus`, :func:`run_eval`, :func:`assess`, :func:`issue_certificate`,
:func:`verify_certificate` and :func:`publish` do what ``puhui corpus build``, ``puhui eval
run``, ``puhui assess new``, ``puhui cert issue``, ``puhui cert verify`` and ``puhui hub
publish`` do (the CLI calls them), with the same defaults, decided by the engines. Settings are
optional: by default :func:`puhui.config.load_settings` (``$PUHUI_HOME``, ``PUHUI_*``). Errors a
user can fix are one-line :class:`~puhui.errors.PuhuiError` s naming the parameter in
backquotes (```out```).

A walkthrough: ``docs/python.md``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from puhui.config import Settings, load_settings
from puhui.errors import PuhuiError
from puhui.i18n import _

if TYPE_CHECKING:
    from puhui.assess.types import Assessment
    from puhui.certify.credential import Verification
    from puhui.corpus.pipeline import BuildResult
    from puhui.evals.summary import RunSummary

PathLike = str | os.PathLike[str]

__all__ = [
    "IssuedCertificate",
    "assess",
    "build_corpus",
    "issue_certificate",
    "publish",
    "run_eval",
    "verify_certificate",
]


# ---------------------------------------------------------------- corpus


def _corpus_setup(
    inputs: PathLike | Sequence[PathLike],
    pipeline: PathLike | None,
    executor: str,
    text_field: str | None,
    txt_unit: str | None,
    pii_mode: str | None,
    regions: Sequence[str],
) -> tuple[list[Path], Any]:
    """The input paths and the build configuration, checked (one-line errors)."""
    from puhui.corpus.config import load_config

    paths = [Path(inputs)] if isinstance(inputs, str | os.PathLike) else [Path(p) for p in inputs]
    overrides: dict[str, dict[str, Any]] = {"reader": {}, "pii": {}}
    if text_field:
        overrides["reader"]["text_field"] = text_field
    if txt_unit:
        overrides["reader"]["txt_unit"] = txt_unit
    if pii_mode:
        overrides["pii"]["mode"] = pii_mode
    if regions:
        overrides["pii"]["regions"] = tuple(r.strip().upper() for r in regions if r.strip())
    cfg = load_config(Path(pipeline) if pipeline is not None else None, **overrides)
    if executor not in ("local", "ray"):
        raise PuhuiError(_("`executor` must be local or ray, not {e!r}").format(e=executor), None)
    for p in paths:
        if not p.exists():
            raise PuhuiError(_("input {p} does not exist").format(p=p), _("check the path"))
    return paths, cfg


def corpus_units(
    inputs: PathLike | Sequence[PathLike],
    *,
    pipeline: PathLike | None = None,
    executor: str = "local",
    text_field: str | None = None,
    txt_unit: str | None = None,
    pii_mode: str | None = None,
    regions: Sequence[str] = (),
) -> int:
    """How many units (shards of input) :func:`build_corpus` splits ``inputs`` into, for a
    progress bar; the same checks as :func:`build_corpus`."""
    from puhui.corpus.pipeline import plan_units
    from puhui.corpus.readers import discover

    paths, cfg = _corpus_setup(inputs, pipeline, executor, text_field, txt_unit, pii_mode, regions)
    return len(plan_units(discover(paths), cfg.shard_mb))


def build_corpus(
    inputs: PathLike | Sequence[PathLike],
    out: PathLike,
    *,
    pipeline: PathLike | None = None,
    workers: int = 2,
    executor: str = "local",
    text_field: str | None = None,
    txt_unit: str | None = None,
    pii_mode: str | None = None,
    regions: Sequence[str] = (),
    dedup_against: Sequence[PathLike] = (),
    restart: bool = False,
    name: str | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_unit: Callable[[str, int, bool], None] | None = None,
) -> BuildResult:
    """Build a clean corpus from raw text files or folders into the folder ``out``.

    Reads .txt .md .jsonl .json .csv .tsv .parquet .html .xml .warc (and .gz/.zst/.xz); runs
    normalize → langid → quality → pii → dedup (or the steps the ``pipeline`` YAML chooses);
    writes ``out/data/*.jsonl.zst``, what was dropped and why (``out/removed/``), unreadable
    input (``out/quarantine/``), ``audit.html``, ``datasheet.md`` and ``croissant.json``. An
    unfinished build in ``out`` resumes (``restart=True`` discards it).

    ``text_field``, ``txt_unit``, ``pii_mode`` (``redact``, ``tag`` or ``hash``) and
    ``regions`` (ISO 3166 codes for national phone formats) override the pipeline's options;
    ``dedup_against`` lists earlier corpora whose documents are dropped. ``executor`` is
    ``local`` (a process pool of ``workers``) or ``ray``. ``on_stage(name)`` is told each
    stage; ``on_unit(unit_id, documents, finished)`` each unit's progress.

    Returns the :class:`~puhui.corpus.pipeline.BuildResult` (``out``, ``manifest_id``,
    ``summary`` counts, ``resumed_units``, ``seconds``).
    """
    from puhui.corpus.pipeline import build, local_executor, ray_executor

    paths, cfg = _corpus_setup(inputs, pipeline, executor, text_field, txt_unit, pii_mode, regions)
    make = local_executor if executor == "local" else ray_executor
    return build(
        paths,
        Path(out),
        cfg,
        executor=make(workers, on_unit),
        against=[Path(p) for p in dedup_against],
        restart=restart,
        name=name,
        on_stage=on_stage,
    )


# ---------------------------------------------------------------- evals


def default_run_folder(
    suite: str, model: str | None = None, settings: Settings | None = None
) -> Path:
    """Where :func:`run_eval` writes when ``out`` is not given:
    ``$PUHUI_HOME/runs/SUITE-MODEL`` (MODEL: the file name of a model file)."""
    from puhui.evals.runner import default_model
    from puhui.evals.tasks import load_suite

    s = settings or load_settings()
    loaded = load_suite(suite)
    name = model if model is not None else default_model(loaded, s)
    return s.home / "runs" / f"{loaded.name}-{Path(name).name}"


def run_eval(
    suite: str,
    model: str | None = None,
    out: PathLike | None = None,
    *,
    limit: int | None = None,
    languages: Sequence[str] = (),
    concurrency: int = 4,
    max_retries: int = 4,
    epochs: int = 1,
    seed: int = 0,
    judge_model: str | None = None,
    settings: Settings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunSummary:
    """Run a suite against a model; the same call again resumes and reuses cached answers.

    ``suite`` is a name from ``puhui eval list`` or a suite folder / YAML. ``model`` names a
    registered model (None: the default of the suite's task kind: ``$PUHUI_MODEL`` or
    ``embedded`` for generate suites, ``demo-classifier`` for classify, ``e5-logreg`` for
    text-classify); classify suites also take a scikit-learn .joblib/.pkl or .onnx file
    (loading a pickle runs its code: only load files you trust). ``out`` is the run folder
    (default: :func:`default_run_folder`). ``limit``: at most N samples per language per
    task; ``languages``: BCP-47 tags to keep (``sw`` matches ``swh``). ``progress(done,
    total)`` is called as samples finish.

    Returns the run's :class:`~puhui.evals.summary.RunSummary` (per task, metric and
    language, with 95% confidence intervals), also written to ``out/summary.json``.
    """
    from puhui.evals.runner import RunOptions
    from puhui.evals.runner import run as run_suite
    from puhui.evals.summary import RunSummary
    from puhui.evals.tasks import load_suite

    s = settings or load_settings()
    loaded = load_suite(suite)
    opts = RunOptions(
        limit=limit,
        languages=tuple(t.strip() for t in languages if t.strip()),
        concurrency=concurrency,
        max_retries=max_retries,
        epochs=epochs,
        seed=seed,
        judge_model=judge_model,
    )
    folder = Path(out) if out is not None else default_run_folder(suite, model, s)
    if any(t.scorer == "judge" for t in loaded.tasks):  # fail before any work starts
        from puhui.config import state_dir
        from puhui.evals.runner import judges_for

        judges_for(loaded, opts, s, state_dir(s, "cache"))
    summary = run_suite(loaded, model, folder, opts, s, progress)
    return RunSummary.from_json(summary, folder / "summary.json")


# ---------------------------------------------------------------- assess


def assess(
    profile: PathLike,
    evidence: PathLike | Sequence[PathLike] = (),
    out: PathLike = "assessment",
    *,
    answers: PathLike | None = None,
    lang: str = "en",
    pdf: bool = True,
    on_stage: Callable[[str], None] | None = None,
) -> Assessment:
    """Assess an AI system: obligations, evidence, findings, risk register, framework coverage.

    ``profile`` is the system profile YAML (see ``examples/profile.yaml``); ``evidence`` eval
    run and corpus folders (checked against their manifests and pinned by hash); ``answers``
    a checklist answers YAML. Writes ``assessment.json``, ``report.html``, ``report.pdf``
    (unless ``pdf=False``) and ``oscal.json`` into ``out``; ``lang`` is the report language
    (``en`` or ``fr``). ``on_stage(name)`` is told each stage (assess, oscal, html, pdf).

    Returns the :class:`~puhui.assess.types.Assessment` written.
    """
    from puhui.assess.assessment import new_assessment
    from puhui.assess.messages import languages
    from puhui.assess.types import Assessment

    if lang not in languages():
        raise PuhuiError(
            _("`lang` {lang!r} is not available").format(lang=lang),
            _("use one of: {langs}").format(langs=", ".join(languages())),
        )
    dirs = (
        [Path(evidence)] if isinstance(evidence, str | os.PathLike) else [Path(p) for p in evidence]
    )
    ans = Path(answers) if answers is not None else None
    folder = new_assessment(Path(profile), dirs, ans, Path(out), lang, pdf=pdf, on_stage=on_stage)
    return Assessment.read(folder)


# ---------------------------------------------------------------- certificates


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate :func:`issue_certificate` signed and wrote.

    ``path`` is the certificate JSON (a W3C Verifiable Credential 2.0, ``eddsa-jcs-2022``);
    ``credential`` its content; ``pages`` the printable HTML and PDF with the QR code (when
    asked for); ``status_list`` the issuer's revocation list to publish with it.
    """

    path: Path
    credential: dict[str, Any]
    status_list: Path
    pages: list[Path] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.credential["id"])

    @property
    def issuer(self) -> str:
        from puhui.certify.credential import issuer_id

        return str(issuer_id(self.credential))

    @property
    def valid_from(self) -> str:
        return str(self.credential["validFrom"])

    @property
    def valid_until(self) -> str:
        return str(self.credential["validUntil"])

    @property
    def status_list_index(self) -> str:
        return str(self.credential["credentialStatus"]["statusListIndex"])


def issue_certificate(
    assessment: PathLike | Assessment,
    key_dir: PathLike,
    out: PathLike,
    *,
    valid_days: int = 365,
    status_list: PathLike | None = None,
    page: bool = True,
) -> IssuedCertificate:
    """Sign a certificate pinning an assessment's scope and report files by hash.

    ``assessment`` is an assessment folder (or an :class:`~puhui.assess.types.Assessment`
    read from one); ``key_dir`` the issuer's key folder (``puhui keys new``); ``out`` the
    certificate JSON to write; with ``page``, also ``out`` with ``.html`` and ``.pdf``. A
    revocation index is taken in ``status_list`` (default ``key_dir/status-list.json``).
    """
    from puhui.artifacts import atomic_write_json
    from puhui.certify import credential, keys

    folder = assessment if isinstance(assessment, str | os.PathLike) else assessment.folder
    if folder is None:
        raise PuhuiError(
            _("the `assessment` was not read from a folder"),
            _("give the assessment's folder"),
        )
    target = Path(out)
    if target.is_dir():
        raise PuhuiError(_("`out` {p} is a folder").format(p=target), _("give a file name"))
    cred = credential.issue(folder, key_dir, valid_days=valid_days, status_list=status_list)
    atomic_write_json(target, cred)
    pages: list[Path] = []
    if page:
        from puhui.certify import page as certificate_page

        html_path, pdf_path = target.with_suffix(".html"), target.with_suffix(".pdf")
        certificate_page.write(cred, html_path, pdf_path)
        pages = [html_path, pdf_path]
    sl = Path(status_list) if status_list is not None else Path(key_dir) / keys.STATUS_LIST
    return IssuedCertificate(path=target, credential=cred, status_list=sl, pages=pages)


def load_certificate(path: PathLike) -> dict[str, Any]:
    """A certificate from its JSON file, or from a text file holding its ``PUHUI1:`` QR text."""
    from puhui.certify import credential, qr

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PuhuiError(_("{p} not found").format(p=p), _("check the path")) from None
    except (IsADirectoryError, UnicodeDecodeError):
        raise PuhuiError(
            _("{p} is not a certificate file").format(p=p),
            _("give a certificate .json or a PUHUI1: QR text file"),
        ) from None
    if text.lstrip().startswith(qr.PREFIX):
        try:
            return qr.decode(text)
        except ValueError as e:
            raise PuhuiError(
                _("{p}: not a valid {pre} QR text ({why})").format(p=p, pre=qr.PREFIX, why=e),
                _("scan the QR code again"),
            ) from None
    return credential.load_json_object(p, _("certificate"))


def _when(at: datetime | str) -> datetime:
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            raise PuhuiError(
                _("`at` {v}: not an ISO date or time").format(v=at),
                _("e.g. `at=2026-01-31` or `at=2026-01-31T12:00:00Z`"),
            ) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def verify_certificate(
    certificate: PathLike | dict[str, Any],
    *,
    report_dir: PathLike | None = None,
    status_list: PathLike | None = None,
    trusted: Sequence[str] | None = None,
    at: datetime | str | None = None,
) -> Verification:
    """Verify a certificate offline: signature, validity period, pinned report and assessment
    files, revocation and (with ``trusted``) the issuer.

    ``certificate`` is a certificate file (JSON or ``PUHUI1:`` QR text) or its content.
    ``report_dir`` holds the report files (default: beside the file); ``status_list`` the
    issuer's list (default: ``status-list.json`` beside the file, if present); ``trusted``
    accepts only these issuers (did:key, public.json or key folder); ``at`` checks validity
    at that time instead of now. Unusable input raises :class:`~puhui.errors.PuhuiError`; an
    invalid certificate does not: read :attr:`Verification.valid` and its ``checks``.
    """
    from puhui.certify import credential, keys

    beside: Path | None = None
    if isinstance(certificate, dict):
        cred = certificate
    else:
        cred = load_certificate(certificate)
        beside = Path(certificate).parent
    who = [keys.trusted_did(t, "`trusted`") for t in trusted] if trusted else None
    when = _when(at) if at is not None else None
    sl_path = Path(status_list) if status_list is not None else None
    if sl_path is None and beside is not None and (beside / keys.STATUS_LIST).is_file():
        sl_path = beside / keys.STATUS_LIST
    sl = credential.load_json_object(sl_path, _("status list")) if sl_path else None
    if report_dir is not None and not Path(report_dir).is_dir():
        raise PuhuiError(
            _("`report_dir` {p} is not a folder").format(p=report_dir), _("check the path")
        )
    rdir = Path(report_dir) if report_dir is not None else beside
    return credential.verify(cred, report_dir=rdir, status_list=sl, trusted=who, at=when)


# ---------------------------------------------------------------- hub


def publish(
    artifact: PathLike,
    *,
    token: str | None = None,
    url: str | None = None,
    visibility: str = "public",
    org: str = "",
    name: str = "",
    version: str = "",
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Publish an artifact folder (corpus, run, assessment, suite, model card) or a
    certificate JSON to a hub; return the item (``urn``, ``url``, ``created``, ...).

    ``url`` defaults to ``$PUHUI_HUB_URL``, else the local hub (``hub_port``); ``token`` to
    ``$PUHUI_HUB_TOKEN`` (an API token with publish scope, ``puhui hub token new``).
    ``visibility`` is ``public``, ``organization`` or ``private``.
    """
    from puhui.hub import client

    s = settings or load_settings()
    if visibility not in ("public", "organization", "private"):
        raise PuhuiError(
            _("`visibility` must be public, organization or private, not {v!r}").format(
                v=visibility
            ),
            None,
        )
    tok = token or s.hub_token
    if not tok:
        raise PuhuiError(
            _("no token given"),
            _("pass `token` or set PUHUI_HUB_TOKEN (make one with `puhui hub token new`)"),
        )
    target = url or s.hub_url or f"http://127.0.0.1:{s.hub_port}"
    return client.publish(
        artifact, url=target, token=tok, visibility=visibility, org=org, name=name, version=version
    )
