"""`puhui hub sync PEER --every N`: a schedule without cron. A peer that cannot be reached is
reported in one line and tried again at the next turn; the command keeps running."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import free_port

pytestmark = pytest.mark.slow  # real processes, a few seconds


def test_sync_every_reports_an_unreachable_peer_and_keeps_going(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update(PUHUI_HOME=str(tmp_path / "home"), COLUMNS="200")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "puhui", *args], capture_output=True,
                              text=True, env=env, timeout=120)  # fmt: skip

    assert cli("keys", "new", "--out", str(tmp_path / "peer-key")).returncode == 0
    gone = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    added = cli("hub", "peer", "add", "far", gone, "--key", str(tmp_path / "peer-key"))
    assert added.returncode == 0, added.stderr
    once = cli("hub", "sync", "far")
    assert once.returncode != 0 and once.stderr.count("error:") == 1
    proc = subprocess.Popen(
        [sys.executable, "-m", "puhui", "hub", "sync", "far", "--every", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
            if time.monotonic() > deadline - 50:  # ~10 s: it has tried once and is waiting
                break
        assert proc.poll() is None  # still running: it waits for the next turn
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=30)
    assert "error:" in err and "Traceback" not in err
