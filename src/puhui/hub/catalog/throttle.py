"""Sign-in throttling: too many wrong passwords for one account, or from one address, wait.

Every failed sign-in is a row (:class:`SignInFailure`: a digest of the user name as typed,
folded to lower case — never the name itself, in case a password was typed there — the client
address and the time). Within :data:`WINDOW`, an account with :data:`PER_ACCOUNT` failures or an
address with :data:`PER_ADDRESS` is refused until its oldest counted failure leaves the window,
whatever password it sends next. A successful sign-in clears the account's failures. The rows
live in the hub's database, so the limits hold across threads, processes and restarts.

Behind a reverse proxy every request comes from the proxy's address: the per-account limit still
holds, and the per-address limit then counts everyone together (see the README).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

WINDOW = timedelta(minutes=15)
PER_ACCOUNT = 10
PER_ADDRESS = 30
_MAX_ADDRESS = 45  # the longest text form of an IPv6 address
# (Django is imported in the functions: the limits above are read by tools that run no hub.)


def account_key(username: str) -> str:
    return hashlib.sha256(username.strip().casefold().encode("utf-8")).hexdigest()


def wait_seconds(username: str, address: str) -> int:
    """Seconds until ``username`` from ``address`` may try again (0: now)."""
    from django.db.models import Min
    from django.utils import timezone

    from puhui.hub.catalog.models import SignInFailure

    since = timezone.now() - WINDOW
    recent = SignInFailure.objects.filter(at__gte=since)
    waits = []
    for rows, limit in (
        (recent.filter(account=account_key(username)), PER_ACCOUNT),
        (recent.filter(address=address[:_MAX_ADDRESS]), PER_ADDRESS),
    ):
        if rows.count() >= limit:
            # the window slides: the oldest of the last `limit` failures sets when it frees up
            oldest = rows.order_by("-at")[:limit].aggregate(Min("at"))["at__min"]
            if oldest is not None:
                waits.append((oldest + WINDOW - timezone.now()).total_seconds())
    return max(1, int(max(waits)) + 1) if waits else 0


def failed(username: str, address: str) -> None:
    """Count a failed sign-in (and forget failures older than the window)."""
    from django.utils import timezone

    from puhui.hub.catalog.models import SignInFailure

    now = timezone.now()
    SignInFailure.objects.filter(at__lt=now - WINDOW).delete()
    SignInFailure.objects.create(
        account=account_key(username), address=address[:_MAX_ADDRESS], at=now
    )


def succeeded(username: str) -> None:
    """A right password: the account's count starts again (the address's does not)."""
    from puhui.hub.catalog.models import SignInFailure

    SignInFailure.objects.filter(account=account_key(username)).delete()
