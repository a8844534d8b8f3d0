"""A small client of the hub's API, used by ``puhui hub publish`` and ``puhui hub issuer``
(no Django needed).

:func:`publish` checks the artifact locally first (:func:`puhui.artifacts.check`), then sends
its ``manifest.json`` and every listed file in one multipart request with a bearer token; the
server checks everything again. A certificate is a single JSON file and is sent as it is.
:func:`add_issuer`, :func:`list_issuers`, :func:`remove_issuer` and :func:`send_status_list`
manage the hub's trusted issuers and the revocation lists it holds for them.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import httpx

from puhui.artifacts import MANIFEST
from puhui.artifacts import check as check_artifact
from puhui.errors import PuhuiError
from puhui.i18n import _

TIMEOUT = httpx.Timeout(30.0, read=600.0, write=600.0)


class HubError(PuhuiError):
    """The hub could not be reached or refused a request."""


def _is_certificate(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    types = data.get("type") if isinstance(data, dict) else None
    return isinstance(types, list) and "VerifiableCredential" in types


def _detail(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text.strip()[:200] or resp.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return body["detail"]
    return json.dumps(body)[:200]


def publish(
    artifact: str | os.PathLike[str],
    *,
    url: str,
    token: str,
    visibility: str = "public",
    org: str = "",
    name: str = "",
    version: str = "",
) -> dict[str, Any]:
    """Publish a Puhui artifact folder or a certificate file; return the item as the hub sees it
    (with ``created``: False when the same content was already published under that name)."""
    path = Path(artifact)
    if not path.exists():
        raise HubError(_("{p} does not exist").format(p=path), _("check the path"))
    data = {"visibility": visibility, "org": org, "name": name, "version": version}
    with contextlib.ExitStack() as stack:
        parts: list[tuple[str, Any]] = []
        if path.is_file() and path.name != MANIFEST:
            if not _is_certificate(path):
                raise HubError(
                    _("{p} is neither an artifact folder nor a certificate").format(p=path),
                    _("give a folder with a manifest.json, or a certificate .json"),
                )
            parts.append(("files", ("certificate.json", stack.enter_context(path.open("rb")))))
        else:
            manifest = check_artifact(path)  # one-line ArtifactError when anything changed
            seen = set()
            for entry in manifest.files:
                if entry["sha256"] in seen:
                    continue
                seen.add(entry["sha256"])
                fh = stack.enter_context((manifest.root / entry["path"]).open("rb"))
                parts.append(("files", (Path(entry["path"]).name, fh)))
            raw = (manifest.root / MANIFEST).read_bytes()
            parts.append(("manifest", (MANIFEST, raw, "application/json")))
        endpoint = url.rstrip("/") + "/api/v1/items"
        try:
            resp = httpx.post(
                endpoint,
                headers={"Authorization": f"Bearer {token}"},
                data=data,
                files=parts,
                timeout=TIMEOUT,
            )
        except httpx.HTTPError as e:
            raise _unreachable(url, e) from None
    refused = _("the hub refused the upload ({s}): {d}")
    _check(resp, refused)
    if resp.status_code not in (200, 201):  # e.g. a redirect: not the hub's API
        raise HubError(refused.format(s=resp.status_code, d=_detail(resp)))
    item: dict[str, Any] = resp.json()
    item["created"] = resp.status_code == 201
    return item


# ---------------------------------------------------------------- trusted issuers


def _call(
    method: str,
    url: str,
    path: str,
    *,
    token: str | None = None,
    body: Any = None,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        resp = httpx.request(
            method,
            url.rstrip("/") + "/api/v1" + path,
            headers=headers,
            json=body,
            params=params,
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as e:
        raise _unreachable(url, e) from None
    _check(resp, _("the hub refused ({s}): {d}"))
    return resp


def _unreachable(url: str, e: Exception) -> HubError:
    return HubError(
        _("cannot reach the hub at {u}: {why}").format(u=url, why=e),
        _("check --url and that `puhui hub serve` is running"),
    )


def _check(resp: httpx.Response, refused: str) -> None:
    """One-line errors for a refused token or any other 4xx/5xx (``refused``: {s} status, {d}
    the hub's reason)."""
    if resp.status_code == 401:
        raise HubError(
            _("the hub refused the token: {d}").format(d=_detail(resp)),
            _("make one with `puhui hub token new USER --scope publish`"),
        )
    if resp.status_code >= 400:
        raise HubError(refused.format(s=resp.status_code, d=_detail(resp)))


def add_issuer(
    url: str,
    token: str,
    did: str,
    *,
    org: str = "",
    name: str = "",
    status_list: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Register ``did`` as a trusted issuer of ``org`` (the caller must be its admin), with its
    signed status list if given; the issuer as the hub holds it, with ``created``."""
    body = {"did": did, "org": org, "name": name, "status_list": status_list}
    resp = _call("POST", url, "/issuers", token=token, body=body)
    issuer: dict[str, Any] = resp.json()
    issuer["created"] = resp.status_code == 201
    return issuer


def list_issuers(url: str, *, token: str | None = None, org: str = "") -> list[dict[str, Any]]:
    """The hub's trusted issuers (of one organization if ``org``)."""
    resp = _call("GET", url, "/issuers", token=token, params={"org": org} if org else None)
    issuers: list[dict[str, Any]] = resp.json()
    return issuers


def remove_issuer(url: str, token: str, did: str) -> None:
    """Remove a trusted issuer (the caller must administer its organization)."""
    _call("DELETE", url, "/issuers/" + did, token=token)


def send_status_list(url: str, status_list: dict[str, Any], *, token: str | None = None) -> Any:
    """Send a trusted issuer's signed status list; what the hub now holds, with ``changed``."""
    return _call("POST", url, "/status-lists", token=token, body=status_list).json()


# ---------------------------------------------------------------- rating tasks


def rating_publish(url: str, token: str, org: str, task: dict[str, Any]) -> dict[str, Any]:
    """Put a rating task (its ``task.json``) on the hub for ``org``; what the hub holds, with
    ``created``. The same task again changes nothing."""
    resp = _call("POST", url, "/rating/tasks", token=token, body={"org": org, "task": task})
    result: dict[str, Any] = resp.json()
    result["created"] = resp.status_code == 201
    return result


def rating_invite(
    url: str, token: str, task_id: str, languages: list[str], days: int
) -> dict[str, Any]:
    """A one-time link that signs a rater up for ``task_id`` in ``languages``."""
    body = {"languages": languages, "days": days}
    result: dict[str, Any] = _call(
        "POST", url, f"/rating/tasks/{task_id}/invites", token=token, body=body
    ).json()
    return result


def rating_labels(url: str, token: str, task_id: str) -> list[dict[str, Any]]:
    """Every label raters gave to ``task_id`` on the hub (raters as pseudonyms)."""
    doc = _call("GET", url, f"/rating/tasks/{task_id}/labels", token=token).json()
    labels = doc.get("labels") if isinstance(doc, dict) else None
    if not isinstance(labels, list):
        raise HubError(_("the hub sent no labels for {t}").format(t=task_id))
    return [x for x in labels if isinstance(x, dict)]
