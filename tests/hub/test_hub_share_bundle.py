"""Offline bundles between two real hubs (`puhui hub serve` on 127.0.0.1, each with its own
PUHUI_HOME): items published on A, `puhui share export` there, `puhui share import` into B.

A tampered bundle (one byte of one file changed, the zip rebuilt so only the sha256 can tell)
and a bundle checked against another key are refused with one line, before anything reaches
B; the good bundle then creates the items on B with the same URNs, files (equal sha256) and
policies, and importing it again changes nothing. The tests run in order and share the hubs.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_hub_e2e import make_artifact
from test_hub_federation import FedHub, _start

from puhui.certify import keys
from puhui.sharing.policy import preset, to_odrl

from conftest import assert_one_line_error

pytestmark = pytest.mark.slow  # starts two real hubs


@dataclass
class Net:
    a: FedHub
    b: FedHub
    tmp: Path
    urns: dict[str, str]
    ids: dict[str, int]
    bundle: Path


def _set_policy(h: FedHub, item_id: int, preset_name: str) -> dict[str, Any]:
    doc = to_odrl(
        preset(preset_name, uid=f"urn:uuid:00000000-0000-4000-8000-00000000{item_id:04d}")
    )
    res = httpx.put(
        f"{h.url}/api/v1/items/{item_id}/policy",
        json=doc,
        headers={"Authorization": f"Bearer {h.token}"},
        timeout=30,
    )
    assert res.status_code == 200, res.text
    got: dict[str, Any] = httpx.get(f"{h.url}/api/v1/items/{item_id}/policy", timeout=30).json()
    return got


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Net]:
    import subprocess

    tmp = tmp_path_factory.mktemp("bundle")
    procs: list[subprocess.Popen[str]] = []
    try:
        a, b = (_start(n, tmp, procs) for n in ("a", "b"))
        croissant = json.dumps(
            {"@context": {"@vocab": "https://schema.org/"}, "@type": "Dataset", "name": "twi"}
        )
        made = {
            "twi": {"data.txt": "Twi text\n" * 40, "croissant.json": croissant},
            "news": {"data.txt": "news text\n" * 30, "extra/b.txt": "second file\n"},
            "plain": {"data.txt": "plain text\n" * 20},
        }
        urns, ids = {}, {}
        for name, content in made.items():
            out = a.publish(make_artifact(tmp / name, "corpus", content), "--name", name)
            urns[name], ids[name] = out["urn"], out["id"]
        _set_policy(a, ids["twi"], "on-request")
        _set_policy(a, ids["news"], "research-only")
        yield Net(a, b, tmp, urns, ids, tmp / "carried.puhui")
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=30)


def _items(h: FedHub) -> dict[str, dict[str, Any]]:
    """Each public item of ``h`` by URN: its files (path -> sha256, size) and its policy."""
    rows = httpx.get(h.url + "/api/v1/items", params={"per_page": 100}, timeout=30).json()
    out = {}
    for r in rows["items"]:
        detail = httpx.get(f"{h.url}/api/v1/items/{r['id']}", timeout=30).json()
        pol = httpx.get(f"{h.url}/api/v1/items/{r['id']}/policy", timeout=30)
        out[r["urn"]] = {
            "title": detail["title"],
            "files": {f["path"]: (f["sha256"], f["size"]) for f in detail["files"]},
            "policy": pol.json() if pol.status_code == 200 else None,
        }
    return out


def _blobs(h: FedHub) -> list[Path]:
    root = Path(h.env["PUHUI_HOME"]) / "hub" / "blobs" / "sha256"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_export_refuses_an_item_on_request_unless_its_organization_exports_it(net: Net) -> None:
    out = net.tmp / "refused.puhui"
    proc = net.a.cli("share", "export", net.urns["plain"], net.urns["twi"], "--out", str(out))
    assert_one_line_error(proc, net.urns["twi"], "access request")
    assert not out.exists()
    info = net.a.ok(
        "share", "export", *(net.urns[n] for n in ("twi", "news", "plain")),
        "--out", str(net.bundle), "--org", "org-a",
    )  # fmt: skip
    assert info["hub"] == net.a.did and len(info["items"]) == 3
    with zipfile.ZipFile(net.bundle) as z:
        names = z.namelist()
        doc = json.loads(z.read("bundle.json"))
    shas = {f["sha256"] for e in doc["items"] for f in e["files"]}
    assert names == ["bundle.json", *(f"files/{s}" for s in sorted(shas))]
    assert info["files"] == len(shas) > 4  # each distinct file once
    assert (
        doc["format"] == "puhui-share-bundle-1" and doc["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    )
    by_urn = {e["urn"]: e for e in doc["items"]}
    assert by_urn[net.urns["news"]]["policy"]["puhui:preset"] == "research-only"
    assert by_urn[net.urns["plain"]]["policy"] is None


def test_croissant_carries_the_policy(net: Net) -> None:
    res = httpx.get(f"{net.a.url}/api/v1/items/{net.ids['twi']}/croissant", timeout=30)
    assert res.status_code == 200
    doc = res.json()
    assert doc["name"] == "twi" and doc["@context"]["odrl"] == "http://www.w3.org/ns/odrl/2/"
    assert doc["odrl:hasPolicy"]["puhui:preset"] == "on-request"


def test_a_tampered_bundle_is_refused_naming_the_file_and_nothing_is_imported(net: Net) -> None:
    bad = net.tmp / "tampered.puhui"
    with zipfile.ZipFile(net.bundle) as src, zipfile.ZipFile(bad, "w") as dst:
        members = src.namelist()
        victim = next(n for n in members if n.startswith("files/"))
        for n in members:
            data = src.read(n)
            if n == victim:
                data = bytes([data[0] ^ 1]) + data[1:]  # one byte changed, same size
            dst.writestr(n, data)
    proc = net.b.cli("share", "import", str(bad), "--trust", net.a.did)
    line = assert_one_line_error(proc, f"{victim}: sha256 does not match")
    assert "nothing was imported" in line
    assert _items(net.b) == {} and _blobs(net.b) == []


def test_an_untrusted_signer_is_refused(net: Net) -> None:
    stranger = keys.generate().did
    proc = net.b.cli("share", "import", str(net.bundle), "--trust", stranger)
    assert_one_line_error(proc, net.a.did, stranger)
    assert _items(net.b) == {} and _blobs(net.b) == []


def test_import_creates_the_items_with_their_files_and_policies(net: Net) -> None:
    got = net.b.ok("share", "import", str(net.bundle), "--trust", net.a.did)
    assert sorted(got["created"]) == sorted(net.urns.values()) and got["files"] > 4
    on_a, on_b = _items(net.a), _items(net.b)
    assert set(on_b) == set(net.urns.values())
    assert on_b == on_a  # same URNs, titles, files (equal sha256 and size) and policies
    assert on_b[net.urns["twi"]]["policy"]["puhui:preset"] == "on-request"
    # the files are really in B's store: B serves them, with the bytes that hash right
    detail = httpx.get(net.b.url + "/api/v1/items", params={"per_page": 100}, timeout=30).json()[
        "items"
    ]
    plain = next(r for r in detail if r["urn"] == net.urns["plain"])
    f = httpx.get(f"{net.b.url}/api/v1/items/{plain['id']}", timeout=30).json()["files"][0]
    body = httpx.get(f["url"], timeout=30).content
    assert hashlib.sha256(body).hexdigest() == f["sha256"]
    assert len(_blobs(net.b)) == len(_blobs(net.a))


def test_importing_twice_changes_nothing(net: Net) -> None:
    before, blobs = _items(net.b), _blobs(net.b)
    got = net.b.ok("share", "import", str(net.bundle), "--trust", net.a.did)
    assert got["created"] == [] and got["updated"] == []
    assert sorted(got["same"]) == sorted(net.urns.values())
    assert _items(net.b) == before and _blobs(net.b) == blobs
