"""A hub running in the background on this machine: start it (or find it running), stop it.

``puhui demo`` leaves one running with the demo's artifacts, and ``puhui hub start`` / ``puhui
hub stop`` do the same for anyone. What is running is recorded in ``$PUHUI_HOME/hub/serve.json``
(process id, port, URL, log file); a record whose process is gone or does not answer is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from puhui.artifacts import atomic_write_json
from puhui.config import Settings
from puhui.errors import PuhuiError
from puhui.i18n import _

START_TIMEOUT = 90.0


def _record(settings: Settings) -> Path:
    return settings.home / "hub" / "serve.json"


def _answers(url: str) -> bool:
    try:
        return httpx.get(url + "api/v1/openapi.json", timeout=3, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running(settings: Settings) -> dict[str, Any] | None:
    """The background hub of this PUHUI_HOME, if its process is alive and answering."""
    path = _record(settings)
    try:
        info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if _alive(int(info.get("pid", 0))) and _answers(str(info.get("url", ""))):
        return info
    return None


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start(settings: Settings, port: int | None = None) -> dict[str, Any]:
    """Start ``puhui hub serve`` in the background (or return the one already running)."""
    if (info := running(settings)) is not None:
        return info
    want = settings.hub_port if port is None else port
    if not _free(want):
        if port is not None:
            raise PuhuiError(
                _("port {p} on 127.0.0.1 is in use").format(p=want), _("choose another --port")
            )
        want = 0
    if want == 0:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            want = int(s.getsockname()[1])
    log_path = settings.home / "hub" / "serve.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "puhui", "hub", "serve", "--port", str(want)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives the command that started it
            env={**os.environ, "PUHUI_HOME": str(settings.home)},
        )
    url = f"http://127.0.0.1:{want}/"
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            raise PuhuiError(
                _("the hub did not start on {u}").format(u=url),
                _("see its log: {p}").format(p=log_path),
            )
        time.sleep(0.3)
    info = {"pid": proc.pid, "port": want, "url": url, "log": str(log_path)}
    atomic_write_json(_record(settings), info)
    return info


def stop(settings: Settings) -> dict[str, Any] | None:
    """Stop the background hub of this PUHUI_HOME; returns what was stopped (None if none)."""
    path = _record(settings)
    try:
        info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pid = int(info.get("pid", 0))
    stopped = None
    if pid and _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        for _i in range(100):
            if not _alive(pid):
                break
            time.sleep(0.1)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        stopped = info
    path.unlink(missing_ok=True)
    return stopped
