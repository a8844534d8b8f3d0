"""The hub keeps what is private private: on disk, in refused uploads, in answers, at stop.

Runs against the same real `puhui hub serve` (SQLite and PostgreSQL) as test_hub_e2e.py: the hub
folder is 0700 and its files 0600 (and are made so again at start), a refused upload leaves no
file in the store, re-publishing another member's private item never names it, and `puhui hub
stop` signals only the hub it started.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import test_hub_e2e
from test_hub_e2e import Hub, make_artifact

from puhui.hub import local

from conftest import free_port

pytestmark = pytest.mark.slow  # a real `puhui hub serve` (test_hub_e2e's fixture)

hub = test_hub_e2e.hub  # the same real hub (SQLite and PostgreSQL), set up once for this module


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _hub_dir(hub: Hub) -> Path:
    return Path(hub.env["PUHUI_HOME"]) / "hub"


def _blob(hub: Hub, sha: str) -> Path:
    return _hub_dir(hub) / "blobs" / "sha256" / sha[:2] / sha[2:4] / sha


def _token(hub: Hub, user: str, *extra: str) -> str:
    proc = hub.cli("hub", "token", "new", user, "--scope", "publish", *extra)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def _post(hub: Hub, token: str, folder: Path, **form: str) -> httpx.Response:
    """POST an artifact folder (its manifest and files) the way `puhui hub publish` does."""
    manifest = (folder / "manifest.json").read_bytes()
    listed = [f["path"] for f in json.loads(manifest)["files"]]
    files = [("files", (p, (folder / p).read_bytes())) for p in listed]
    files.append(("manifest", ("manifest.json", manifest)))
    return httpx.post(
        hub.url + "/api/v1/items",
        headers={"Authorization": f"Bearer {token}"},
        files=files,
        data=form,
        timeout=60,
    )


# ---------------------------------------------------------------- files on disk


def test_hub_folder_and_files_are_private(hub: Hub) -> None:
    home = _hub_dir(hub)
    assert _mode(home) == 0o700
    assert _mode(home / "secret_key") == 0o600
    for f in home.iterdir():
        if f.is_file():
            assert _mode(f) & 0o077 == 0, f  # the database and its -wal/-shm files included
    blobs = [p for p in (home / "blobs" / "sha256").rglob("*") if p.is_file()]
    assert blobs
    assert all(_mode(p) == 0o600 for p in blobs)
    assert all(_mode(p) == 0o700 for p in (home / "blobs").rglob("*") if p.is_dir())
    if os.geteuid() == 0 and shutil.which("runuser"):
        # the real question: can another user of the machine read a session key or a file?
        target = home / "hub.sqlite3" if (home / "hub.sqlite3").exists() else blobs[0]
        proc = subprocess.run(
            ["runuser", "-u", "nobody", "--", "cat", str(target)], capture_output=True, timeout=30
        )
        assert proc.returncode != 0 and b"Permission denied" in proc.stderr


def test_a_loose_hub_folder_is_made_private_at_start(hub: Hub) -> None:
    home = _hub_dir(hub)
    loose = [home / "secret_key"] + [
        f for f in home.iterdir() if f.name.startswith("hub.sqlite3")
    ]  # as an older version, a copy or a restored backup may have left them
    home.chmod(0o755)
    (home / "blobs").chmod(0o755)
    for f in loose:
        f.chmod(0o644)
    proc = hub.cli("hub", "init")
    assert proc.returncode == 0, proc.stderr
    assert "readable by other users" in proc.stderr
    assert str(home) in proc.stderr
    assert _mode(home) == 0o700 and _mode(home / "blobs") == 0o700
    assert all(_mode(f) == 0o600 for f in loose)
    again = hub.cli("hub", "init")  # nothing left to say the second time
    assert again.returncode == 0 and "readable by other users" not in again.stderr


# ---------------------------------------------------------------- refused uploads


def test_a_refused_upload_leaves_nothing_in_the_store(hub: Hub, tmp_path: Path) -> None:
    secret = "refused upload, never to be stored " + os.urandom(8).hex()
    art = make_artifact(tmp_path / "refused", "corpus", {"data.txt": secret})
    sha = hashlib.sha256(secret.encode()).hexdigest()
    outsider = _token(hub, "olu")  # a member of globex, not of acme
    resp = _post(hub, outsider, art, org="acme")
    assert resp.status_code == 403, resp.text
    assert not _blob(hub, sha).exists()
    # a file the manifest does not list refuses the whole upload, and nothing of it is kept
    stray = b"not in the manifest " + os.urandom(8)
    manifest = (art / "manifest.json").read_bytes()
    resp = httpx.post(
        hub.url + "/api/v1/items",
        headers={"Authorization": f"Bearer {hub.publish_token}"},
        files=[
            ("files", ("data.txt", secret.encode())),
            ("files", ("stray.bin", stray)),
            ("manifest", ("manifest.json", manifest)),
        ],
        timeout=60,
    )
    assert resp.status_code == 400 and "matches no file of the manifest" in resp.json()["detail"]
    assert not _blob(hub, hashlib.sha256(stray).hexdigest()).exists()
    assert not _blob(hub, sha).exists()  # nor the listed file sent with it: nothing half-kept
    # and a certificate-less single file that is far too big for a certificate
    big = b"{" + b" " * (600 * 1024) + b"}"
    resp = httpx.post(
        hub.url + "/api/v1/items",
        headers={"Authorization": f"Bearer {hub.publish_token}"},
        files=[("files", ("cert.json", big))],
        timeout=60,
    )
    assert resp.status_code == 400
    assert not _blob(hub, hashlib.sha256(big).hexdigest()).exists()


def test_a_publish_without_a_token_is_refused_before_its_body(hub: Hub) -> None:
    host, port = hub.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(  # 100 MB announced (under the hub's upload limit), none of it sent
            b"POST /api/v1/items HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 100000000\r\n\r\n"
        )
        chunks = []  # the answer may come in several segments: read until the hub closes
        while (chunk := s.recv(4096)) and sum(map(len, chunks)) < 64 * 1024:
            chunks.append(chunk)
        head = b"".join(chunks).decode("latin-1")
    assert head.startswith("HTTP/1.1 401"), head
    assert "publishing needs an API token" in head


# ---------------------------------------------------------------- another member's private item


def test_republishing_a_private_item_never_names_it(hub: Hub, tmp_path: Path) -> None:
    private = hub.items["private"]  # published privately by "mo" in acme, as matrix-private
    folder = hub.tmp / "m-private"
    bob = _token(hub, "bob", "--org", "acme")  # another member of acme, who may not see it
    resp = _post(hub, bob, folder, org="acme", name="matrix-private", visibility="private")
    assert resp.status_code == 201, resp.text  # a new item of bob's, not "it exists already"
    mine = resp.json()
    assert mine["id"] != private["id"] and private["urn"] not in resp.text
    # mo, who owns the first, still gets the existing item back when publishing it again
    again = _post(hub, hub.publish_token, folder, org="acme", name="matrix-private")
    assert again.status_code == 200 and again.json()["id"] == private["id"]


# ---------------------------------------------------------------- hub stop


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env["PUHUI_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "puhui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("identity", [False, True])
def test_hub_stop_never_signals_a_process_that_is_not_the_hub(
    tmp_path: Path, identity: bool
) -> None:
    home = tmp_path / "home"
    (home / "hub").mkdir(parents=True)
    other = subprocess.Popen(["sleep", "300"])  # somebody else's program, given a reused pid
    try:
        record: dict[str, object] = {
            "pid": other.pid,
            "port": free_port(),
            "url": f"http://127.0.0.1:{free_port()}/",
            "log": str(home / "hub" / "serve.log"),
        }
        if identity:  # a record as `hub start` writes it now: the hub's own start time
            record.update(started="1", cmdline=f"{sys.executable} -m puhui hub serve --port 1")
        (home / "hub" / "serve.json").write_text(json.dumps(record), encoding="utf-8")
        proc = _cli(home, "hub", "stop", "--json")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == {"stopped": None}
        assert other.poll() is None, "hub stop signalled a process that is not the hub"
        assert not (home / "hub" / "serve.json").exists()  # the stale record is gone
    finally:
        other.kill()
        other.wait()


def test_hub_start_then_stop_stops_the_hub(tmp_path: Path) -> None:
    home = tmp_path / "home"
    started = _cli(home, "hub", "start", "--port", str(free_port()), "--json")
    assert started.returncode == 0, started.stderr
    info = json.loads(started.stdout)
    record = json.loads((home / "hub" / "serve.json").read_text(encoding="utf-8"))
    assert record["pid"] == info["pid"] and record["started"] and "hub serve" in record["cmdline"]
    assert _mode(home / "hub" / "serve.json") == 0o600
    stopped = _cli(home, "hub", "stop", "--json")
    assert stopped.returncode == 0, stopped.stderr
    assert json.loads(stopped.stdout)["stopped"]["pid"] == info["pid"]
    assert not local._alive(info["pid"])  # stop waits until it is gone


# ---------------------------------------------------------------- sign-in throttling (last: it
# leaves 127.0.0.1 throttled for the rest of the module's hub)


def _try_sign_in(hub: Hub, user: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=hub.url) as client:
        page = client.get("/signin/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, page.text[:300]
        return client.post(
            "/signin/",
            data={"username": user, "password": password, "csrfmiddlewaretoken": token.group(1)},
        )


def test_sign_in_is_throttled_per_account_then_per_address(hub: Hub) -> None:
    from puhui.hub.catalog import throttle

    for _ in range(throttle.PER_ACCOUNT):
        assert _try_sign_in(hub, "vic", "wrong password").status_code == 200  # the form again
    # the right password no longer helps: the account waits
    resp = _try_sign_in(hub, "VIC ", test_hub_e2e.PASSWORD)  # the name as typed, folded
    assert resp.status_code == 429
    assert "Too many failed sign-ins" in resp.text
    assert 0 < int(resp.headers["Retry-After"]) <= throttle.WINDOW.total_seconds()
    # another account from the same address is not locked out by vic's failures
    assert _try_sign_in(hub, "alice", test_hub_e2e.PASSWORD).status_code == 302
    # failures spread over many names hit the address's limit
    for i in range(throttle.PER_ADDRESS - throttle.PER_ACCOUNT):
        _try_sign_in(hub, f"guess{i}", "wrong password")
    assert _try_sign_in(hub, "bob", test_hub_e2e.PASSWORD).status_code == 429
