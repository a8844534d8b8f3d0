"""Who may move an access request from which state to which: one transition table.

Pure (no Django): :func:`transition` takes the request's current state (``none`` for a request
not made yet; ``expired`` is computed from a grant's expiry, see :func:`effective_state`), the
actor's role towards it and the action, and answers the next state or raises :class:`Refused`.

Roles, most powerful first: ``admin`` (an admin of the item's organization), ``member`` (any
other role there; members need no request, they already may use their own items), ``requester``
(the person who made, or is making, the request) and ``other`` (everyone else).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

State = Literal["none", "pending", "granted", "denied", "withdrawn", "revoked", "expired"]
STATES: tuple[State, ...] = (
    "none",
    "pending",
    "granted",
    "denied",
    "withdrawn",
    "revoked",
    "expired",
)
Role = Literal["admin", "member", "requester", "other"]
ROLES: tuple[Role, ...] = ("admin", "member", "requester", "other")
Action = Literal["request", "withdraw", "grant", "deny", "revoke"]
ACTIONS: tuple[Action, ...] = ("request", "withdraw", "grant", "deny", "revoke")

#: (state, role, action) -> next state. Anything not listed is refused.
TABLE: dict[tuple[State, Role, Action], State] = {
    ("none", "requester", "request"): "pending",
    ("pending", "requester", "withdraw"): "withdrawn",
    ("pending", "admin", "grant"): "granted",
    ("pending", "admin", "deny"): "denied",
    ("granted", "admin", "revoke"): "revoked",
}
#: The audit log's word for each action (and for what is not a transition).
AUDIT_ACTIONS: dict[str, str] = {
    "request": "requested",
    "withdraw": "withdrawn",
    "grant": "granted",
    "deny": "denied",
    "revoke": "revoked",
}
EVENTS: tuple[str, ...] = (*AUDIT_ACTIONS.values(), "downloaded", "policy-set")
#: States a request can still leave (a new request may be made once none is open).
OPEN: frozenset[str] = frozenset({"pending", "granted"})


class Refused(Exception):
    """The actor may not take this action from this state; the message says so in one line."""


def transition(state: str, role: str, action: str) -> State:
    """The state after ``role`` takes ``action`` on a request in ``state``; :class:`Refused`
    when the table does not allow it."""
    nxt = TABLE.get((state, role, action))  # type: ignore[arg-type]
    if nxt is None:
        raise Refused(f"a {role} may not {action} a request that is {state}")
    return nxt


def allowed(state: str, role: str) -> list[Action]:
    """The actions ``role`` may take on a request in ``state`` (for the page's buttons)."""
    return [a for a in ACTIONS if (state, role, a) in TABLE]


def effective_state(state: str, expires: datetime | None, now: datetime) -> State:
    """The state as it counts now: a grant past its expiry is ``expired`` at once."""
    if state == "granted" and expires is not None and expires <= now:
        return "expired"
    return state  # type: ignore[return-value]
