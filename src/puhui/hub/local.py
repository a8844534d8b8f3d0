"""A hub running in the background on this machine: start it (or find it running), stop it.

``puhui demo`` leaves one running with the demo's artifacts, and ``puhui hub start`` / ``puhui
hub stop`` do the same for anyone. What is running is recorded in ``$PUHUI_HOME/hub/serve.json``
(process id, its start time and command line, port, URL, log file); a record whose process is gone
or does not answer is ignored. ``stop`` signals the recorded process only while it is still that
hub: process ids are reused, and a stale record must never stop somebody else's program.
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
from dataclasses import replace
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


def _proc_identity(pid: int) -> dict[str, str] | None:
    """The process's start time (clock ticks after boot) and command line, from ``/proc``.

    Together they name one process for its whole life: a reused pid gets a new start time. None
    where ``/proc`` is not available (then :func:`_is_our_hub` falls back to asking the URL).
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    # field 2 (the command name) may hold spaces and parentheses: split after its last ')'
    fields = stat.rsplit(")", 1)[-1].split()
    if len(fields) < 20:
        return None
    args = cmdline.split(b"\0")
    return {
        "started": fields[19],  # field 22 of proc(5): starttime
        "cmdline": " ".join(a.decode("utf-8", "replace") for a in args if a),
    }


def _is_our_hub(info: dict[str, Any]) -> bool:
    """Whether the process recorded in ``info`` is still the hub that was started."""
    try:
        pid = int(info.get("pid", 0))
    except (TypeError, ValueError):
        return False
    if pid <= 1 or not _alive(pid):
        return False
    now = _proc_identity(pid)
    if now is not None and "started" in info:
        return now["started"] == info["started"] and now["cmdline"] == info.get("cmdline")
    if now is not None and not ("puhui" in now["cmdline"] and "hub serve" in now["cmdline"]):
        return False  # a record written without the identity: at least the program must match
    return _answers(str(info.get("url", "")))


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (an exited one nobody has reaped yet is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return state.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def running(settings: Settings) -> dict[str, Any] | None:
    """The background hub of this PUHUI_HOME, if its process is alive and answering."""
    path = _record(settings)
    try:
        info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if _is_our_hub(info) and _answers(str(info.get("url", ""))):
        return info
    return None


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def home_env(home: Path) -> dict[str, str]:
    """This process's environment for a command on the hub of another PUHUI_HOME: ``home``, and
    none of the other ``PUHUI_*`` settings (a database URL here is not that hub's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env["PUHUI_HOME"] = str(home)
    return env


def _companions(settings: Settings) -> Path:
    return settings.home / "hub" / "companions.json"


def _companion_homes(settings: Settings) -> list[Path]:
    try:
        homes = json.loads(_companions(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [Path(h) for h in homes if isinstance(h, str)] if isinstance(homes, list) else []


def start(
    settings: Settings, port: int | None = None, *, home: Path | None = None
) -> dict[str, Any]:
    """Start ``puhui hub serve`` in the background (or return the one already running).

    With ``home``, the hub of that other PUHUI_HOME instead (a second hub on this machine: its
    own database, files and record; none of this environment's other ``PUHUI_*`` settings), kept
    in a list beside this hub's record so that :func:`stop` of ``settings`` stops it too.
    """
    env = {**os.environ, "PUHUI_HOME": str(settings.home)}
    if home is not None:
        homes = [str(h) for h in _companion_homes(settings)]
        if str(home) not in homes:
            _companions(settings).parent.mkdir(parents=True, exist_ok=True)
            atomic_write_json(_companions(settings), [*homes, str(home)])
        settings = replace(settings, home=home)
        env = home_env(home)
    if (info := running(settings)) is not None:
        return info
    want = settings.hub_port if port is None else port
    if not _free(want):
        if port is not None:
            raise PuhuiError(
                _("port {p} on 127.0.0.1 is in use").format(p=want), _("choose another `port`")
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
            env=env,
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
    started: dict[str, Any] = {"pid": proc.pid, "port": want, "url": url, "log": str(log_path)}
    started.update(_proc_identity(proc.pid) or {})
    atomic_write_json(_record(settings), started)
    os.chmod(_record(settings), 0o600)
    return started


def stop(settings: Settings) -> dict[str, Any] | None:
    """Stop the background hub of this PUHUI_HOME and the hubs started with ``home`` beside it
    (:func:`start`); returns what was stopped (None if none), the others under ``also``.

    A record whose process has ended, or whose pid now belongs to another program, is removed
    without signalling anything.
    """
    stopped = _stop(settings)
    also = [i for h in _companion_homes(settings) if (i := _stop(replace(settings, home=h)))]
    _companions(settings).unlink(missing_ok=True)
    if stopped is None and also:
        stopped, also = also[0], also[1:]
    return {**stopped, "also": also} if stopped is not None and also else stopped


def _stop(settings: Settings) -> dict[str, Any] | None:
    path = _record(settings)
    try:
        info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict):
        path.unlink(missing_ok=True)
        return None
    stopped = None
    if _is_our_hub(info):
        pid = int(info["pid"])
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
