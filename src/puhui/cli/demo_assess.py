"""The end of ``puhui demo``: assess the demo system, certify it, publish everything to a hub.

5. A risk assessment of the bundled example system (a ministry's Swahili/English/Arabic chatbot
   on the embedded model) from the demo's eval runs and corpus: ``report.html``, ``report.pdf``,
   ``oscal.json``, mapped onto the frameworks the profile names.
6. A demo signing key, a certificate for that assessment (W3C VC, eddsa-jcs-2022) with its
   printable page and QR code, verified offline.
7. A local hub started in the background with the corpus, runs, assessment and certificate
   published to it (public), and its URL printed. The demo key is registered there as a trusted
   issuer of the demo organization, with its status list, so the certificate shows as valid.
"""

from __future__ import annotations

import json
import secrets
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from puhui.cli._common import console, err_console, settings
from puhui.i18n import _

DEMO_USER = "demo"
DEMO_ORG = "demo"


def bundled_inputs(dest: Path) -> tuple[Path, Path]:
    """Copy the bundled demo profile, answers and evidence documents to ``dest`` (editable)."""
    src = Path(str(resources.files("puhui.content").joinpath("demo_assessment")))
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    return dest / "profile.yaml", dest / "answers.yaml"


def assess_and_certify(base: Path, evidence: list[Path], json_out: bool) -> dict[str, Any]:
    """Assess (report, PDF, OSCAL), then issue and verify a certificate; print where they are."""
    from puhui.assess.assessment import new_assessment
    from puhui.certify import credential, keys
    from puhui.certify import page as certificate_page

    profile, answers = bundled_inputs(base / "inputs")
    out = base / "assessment"
    with err_console.status(_("Assessing the demo system (report, PDF, OSCAL)…")):
        new_assessment(profile, evidence, answers, out)
    model = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    key_dir = base / "keys"
    if not (key_dir / keys.PRIVATE).exists():
        keys.create_key_dir(key_dir, name="Puhui demo issuer")
    cred = credential.issue(out, key_dir, valid_days=365)
    cert = base / "certificate.json"
    from puhui.artifacts import atomic_write_json

    atomic_write_json(cert, cred)
    certificate_page.write(cred, cert.with_suffix(".html"), cert.with_suffix(".pdf"))
    status = json.loads((key_dir / keys.STATUS_LIST).read_text(encoding="utf-8"))
    result = credential.verify(cred, report_dir=out, status_list=status)
    info: dict[str, Any] = {
        "assessment": str(out),
        "report_html": str(out / "report.html"),
        "report_pdf": str(out / "report.pdf"),
        "oscal": str(out / "oscal.json"),
        "eu_ai_act_tier": model["obligations"]["eu_ai_act"]["tier"],
        "certificate": str(cert),
        "certificate_pdf": str(cert.with_suffix(".pdf")),
        "certificate_valid": result.valid,
        "verification": result.to_dict(),
    }
    if not json_out:
        console.print(
            _(
                "[bold]Assessment[/] of {name}: EU AI Act tier {tier}. Read {o}/report.html "
                "(or report.pdf); OSCAL assessment-results in {o}/oscal.json."
            ).format(name=model["system"]["name"], tier=info["eu_ai_act_tier"], o=out)
        )
        console.print(
            _(
                "[bold]Certificate[/] {c} ({valid}); printable page with QR code: {p}. "
                "Check it offline with `puhui cert verify {c}`."
            ).format(
                c=cert,
                valid=_("valid") if result.valid else _("NOT valid"),
                p=cert.with_suffix(".pdf"),
            ),
            emoji=False,
        )
    return info


def register_demo_issuer(key_dir: Path, url: str, token: str) -> dict[str, Any]:
    """Register the demo signing key as a trusted issuer of the demo organization, with its
    status list (the hub trusts no key by itself: without this the certificate would show as
    "signature valid, issuer not trusted")."""
    from puhui.certify import credential, keys
    from puhui.hub import client

    pair = keys.load_key_dir(key_dir)
    status_list = credential.load_json_object(key_dir / keys.STATUS_LIST, _("status list"))
    return client.add_issuer(
        url, token, pair.did, org=DEMO_ORG, name=pair.name or "", status_list=status_list
    )


def publish_to_hub(base: Path, artifacts: list[Path], json_out: bool) -> dict[str, Any]:
    """Start (or reuse) a local hub, publish ``artifacts`` to it as public items, print its URL."""
    s = settings()
    from puhui import hub
    from puhui.hub import client, local

    with err_console.status(_("Starting a local hub and publishing…")):
        hub.migrate()
        from django.contrib.auth import get_user_model

        from puhui.hub.catalog.access import new_token
        from puhui.hub.catalog.models import Membership, Organization

        user_model = get_user_model()
        user = user_model.objects.filter(username=DEMO_USER).first()
        password_file = base / "hub-password.txt"
        if user is None or not password_file.exists():
            password = secrets.token_urlsafe(12)
            user = user or user_model(username=DEMO_USER)
            user.set_password(password)
            user.save()
            password_file.write_text(password + "\n", encoding="utf-8")
            password_file.chmod(0o600)
        org, _new = Organization.objects.get_or_create(
            slug=DEMO_ORG, defaults={"name": "Puhui demo"}
        )
        Membership.objects.update_or_create(user=user, org=org, defaults={"role": "admin"})
        token = new_token(user, scope="publish", org=org, days=1, name="puhui demo")
        info = local.start(s)
        issuer = register_demo_issuer(base / "keys", info["url"], token)
        items = [
            client.publish(path, url=info["url"], token=token, visibility="public", org=DEMO_ORG)
            for path in artifacts
        ]
    result = {
        **info,
        "user": DEMO_USER,
        "password_file": str(password_file),
        "trusted_issuer": issuer,
        "items": items,
    }
    if not json_out:
        console.print(
            _(
                "[bold]Hub[/] at {url} with {n} items (model card, suites, corpus, runs, "
                "assessment, certificate), linked by lineage. Sign in as {u} (password in "
                "{p}); stop it with `puhui hub stop`."
            ).format(url=info["url"], n=len(items), u=DEMO_USER, p=password_file)
        )
    return result
