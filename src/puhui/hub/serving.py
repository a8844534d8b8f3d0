"""Per-path body limits inside waitress: a body over its limit is refused before it is received.

waitress reads a whole request body (to memory or a temporary file) before the application sees
it, checking only one server-wide size (``PUHUI_HUB_MAX_UPLOAD_MB``, sized for publishing). A
certificate to verify is a few KB, so ``puhui hub serve`` makes waitress apply the small limits
of :func:`puhui.hub.catalog.middleware.body_limit` as soon as the request line and headers are
in: a declared Content-Length over the limit is answered 413 at once, and a chunked body as soon
as it grows past the limit; a publish with no token at all is answered 401 the same way. The
answer is the API's JSON error, with a one-line reason.
"""

from __future__ import annotations

import json
from typing import Any

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, MultiSocketServer
from waitress.utilities import Error, RequestEntityTooLarge


class _TooLarge(RequestEntityTooLarge):
    """waitress's 413, answered as ``{"detail": reason}``."""

    def to_response(self, ident: str | None = None) -> tuple[str, list[tuple[str, str]], bytes]:
        body = json.dumps({"detail": self.body}).encode("utf-8")
        return f"{self.code} {self.reason}", [("Content-Type", "application/json")], body


class _NoToken(Error):
    """A publish without a token, answered 401 as ``{"detail": reason}``."""

    code = 401
    reason = "Unauthorized"

    def to_response(self, ident: str | None = None) -> tuple[str, list[tuple[str, str]], bytes]:
        body = json.dumps({"detail": self.body}).encode("utf-8")
        return f"{self.code} {self.reason}", [("Content-Type", "application/json")], body


class _LimitedParser(HTTPRequestParser):
    def received(self, data: bytes) -> int:
        consumed = super().received(data)
        if getattr(self, "error", None) is None and self.headers_finished:
            from puhui.hub.catalog.middleware import body_limit, needs_token, too_large

            path = getattr(self, "path", "") or ""
            why = needs_token(
                getattr(self, "command", "") or "", path, self.headers.get("AUTHORIZATION", "")
            )
            if why is not None:
                self.error = _NoToken(why)
                self.completed = True
                return len(data)
            found = body_limit(path)
            size = max(self.content_length, self.body_bytes_received)
            if found is not None and size > found[0]:
                self.error = _TooLarge(too_large(size, *found))
                self.completed = True
                return len(data)  # the rest of what arrived is the refused body
        return int(consumed)


class _LimitedChannel(HTTPChannel):
    parser_class = _LimitedParser


def limit_bodies(server: Any) -> None:
    """Make a server from ``waitress.create_server`` apply the per-path body limits."""
    servers = server.map.values() if isinstance(server, MultiSocketServer) else [server]
    for s in servers:
        if isinstance(s, BaseWSGIServer):
            s.channel_class = _LimitedChannel
