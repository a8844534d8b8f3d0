"""A classroom on a laptop: this machine's hub with courses published into it, for a room of
phones on the laptop's Wi-Fi (``puhui learn serve``).

:func:`publish_courses` packs each course folder and publishes it in process (no HTTP, no
token leaves the machine) as a public item of a local organization, whose admin is created with
a random password written to a file readable by the owner only — the teacher signs in with it.
Publishing the same course again changes nothing (same content, same item).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterable
from pathlib import Path

from puhui.errors import PuhuiError
from puhui.hub.accounts import local_publisher
from puhui.hub.catalog.access import caller_from_token
from puhui.hub.catalog.models import Item
from puhui.hub.catalog.publish import PublishError, publish
from puhui.i18n import _
from puhui.learn.pack import pack_course

TEACHER = "teacher"
ORG = "classroom"


def publish_courses(
    folders: Iterable[Path], work: Path, *, org: str = ORG, user: str = TEACHER
) -> list[Item]:
    """Pack ``folders`` into ``work/courses`` and publish them as public items of ``org``."""
    work.mkdir(parents=True, exist_ok=True)
    token = local_publisher(user, org, _("Classroom"), work / "teacher-password.txt")
    caller = caller_from_token(token)
    if caller is None:  # the token was just issued: a broken database
        raise PuhuiError(_("could not act as the classroom's teacher on this hub"))
    items = []
    for folder in folders:
        packed = pack_course(folder, work / "courses" / folder.name)
        entries = [packed / "manifest.json"]
        with contextlib.ExitStack() as stack:
            raw = (packed / "manifest.json").read_bytes()
            files = [
                stack.enter_context(p.open("rb"))
                for p in sorted(packed.rglob("*"))
                if p.is_file() and p not in entries
            ]
            try:
                item, _new = publish(
                    caller, files=files, manifest_raw=raw, org_slug=org, visibility="public"
                )
            except PublishError as e:
                raise PuhuiError(f"{folder}: {e}") from None
        items.append(item)
    return items


def addresses() -> list[str]:
    """This machine's IPv4 addresses other phones on its network can reach (best effort, no
    packet sent: a UDP socket is only pointed at a private address to learn the route)."""
    found: list[str] = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("10.255.255.255", 1))
        found.append(s.getsockname()[0])
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(info[4][0]))
    return sorted({a for a in found if not a.startswith("127.")})
