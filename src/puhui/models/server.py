"""Serve a local GGUF model over an OpenAI-compatible HTTP API on 127.0.0.1.

Uses the prebuilt ``xllamacpp`` wheel (llama.cpp's server, in-process; no compiler needed).
:func:`serve_forever` is ``puhui models serve``; :func:`spawned` starts a server in a child
process for engines that need a model for a while, and stops it when they are done. The child
reports its address on stdout as ``READY <url>``; llama.cpp's own log goes to a file under
``$PUHUI_HOME/logs``.

"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from puhui.config import Settings, state_dir
from puhui.errors import ModelError
from puhui.i18n import _
from puhui.models.registry import ModelSpec, check_gguf

HOST = "127.0.0.1"


def check_port(port: int) -> None:
    """Fail with a one-line error if ``port`` on 127.0.0.1 is taken (0 means "any free port")."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise ModelError(
                    _("port {port} on {host} is already in use").format(port=port, host=HOST),
                    _("choose another with `port`, or stop the program using it"),
                ) from None
            if e.errno == errno.EACCES:
                raise ModelError(
                    _("not allowed to listen on port {port}").format(port=port),
                    _("use a port above 1023 with `port`"),
                ) from None
            raise


def start(gguf: Path, alias: str, *, port: int, threads: int, context_size: int) -> tuple[Any, str]:
    """Load ``gguf`` and start serving it in this process. Returns (server, base URL).

    The server runs on llama.cpp's own threads until the process exits.
    """
    import xllamacpp as xlc  # heavy native module: import only when serving

    check_port(port)
    p = xlc.CommonParams()
    p.model.path = str(gguf)
    p.model_alias = {alias}
    p.hostnames = [HOST]
    p.port = port
    p.n_ctx = context_size
    p.n_parallel = 1
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.ui = False
    p.offline = True
    p.verbosity = -1
    try:
        server = xlc.Server(p)
    except RuntimeError:
        raise ModelError(
            _("llama.cpp could not load {path}").format(path=gguf),
            _("check that the file is a complete GGUF model and that memory is free"),
        ) from None
    return server, str(server.listening_address).rstrip("/")


def serve_forever(spec: ModelSpec, settings: Settings, *, port: int, on_ready: Any = None) -> None:
    """``puhui models serve``: serve ``spec`` until Ctrl-C or SIGTERM."""
    if not spec.local:
        raise ModelError(
            _("model {name!r} is an endpoint ({url}); it is already served").format(
                name=spec.name, url=spec.endpoint
            ),
            _("use it directly, or serve the embedded model or a GGUF model"),
        )
    gguf = check_gguf(spec.gguf, spec.name)
    _server, url = start(
        gguf, spec.name, port=port, threads=settings.threads, context_size=settings.context_size
    )
    if on_ready is not None:
        on_ready(url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(3600):
            pass
    except KeyboardInterrupt:
        pass
    # llama.cpp's threads cannot be joined from Python; leave without running their destructors.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


@contextlib.contextmanager
def spawned(spec: ModelSpec, settings: Settings) -> Iterator[str]:
    """Start ``spec`` in a child process on a free port; yield its base URL; stop it after."""
    gguf = check_gguf(spec.gguf, spec.name)
    log_path = state_dir(settings, "logs") / f"model-{spec.name}.log"
    cmd = [
        sys.executable,
        "-m",
        "puhui.models.child",
        str(gguf),
        spec.name,
        str(settings.threads),
        str(settings.context_size),
    ]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, close_fds=True
        )
    try:
        yield _wait_ready(proc, settings.start_timeout, log_path, spec.name)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout:
            proc.stdout.close()


def _wait_ready(proc: subprocess.Popen[bytes], timeout: float, log: Path, name: str) -> str:
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    buf = b""
    while (left := deadline - time.monotonic()) > 0:
        if not sel.select(min(left, 0.5)):
            if proc.poll() is not None:
                break
            continue
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
        for line in buf.decode("utf-8", "replace").splitlines():
            if line.startswith("READY "):
                return line[6:].strip()
            if line.startswith("ERROR "):
                raise ModelError(line[6:].strip(), None)
    sel.close()
    if proc.poll() is None:
        proc.kill()
        raise ModelError(
            _("model {name!r} did not start within {t:g} s").format(name=name, t=timeout),
            _("raise PUHUI_START_TIMEOUT, or see {log}").format(log=log),
        )
    raise ModelError(
        _("the server for model {name!r} stopped while starting").format(name=name),
        _("see {log} for llama.cpp's message").format(log=log),
    )


def child_main(argv: list[str]) -> None:
    gguf, alias, threads, context_size = argv
    try:
        _server, url = start(
            Path(gguf), alias, port=0, threads=int(threads), context_size=int(context_size)
        )
    except ModelError as e:
        print("ERROR " + str(e), flush=True)
        os._exit(1)
    print("READY " + url, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    parent = os.getppid()
    while os.getppid() == parent:  # stop if the parent dies without stopping us
        time.sleep(1)
    os._exit(0)
