"""``{% policy_box item %}``: the item page's "Usage policy" box (the policy in words, a
"Request access" link when the item is shared on request, links for its organization)."""

from __future__ import annotations

from typing import Any

from django import template

from puhui.hub.catalog.access import acts_in, caller_from_session
from puhui.hub.catalog.models import Item
from puhui.sharing.policy import describe

from .. import service

register = template.Library()


@register.inclusion_tag("sharing/_policy_box.html", takes_context=True)
def policy_box(context: dict[str, Any], item: Item) -> dict[str, Any]:
    request = context.get("request")
    caller = caller_from_session(request) if request is not None else None
    policy = service.policy_of(item)
    editor = caller is not None and service.may_set_policy(caller, item)
    return {
        "item": item,
        "policy": policy,
        "terms": describe(policy) if policy else [],
        "editor": editor,
        "admin": caller is not None and acts_in(caller, item.org, ("admin",)),
        "member": caller is not None and caller.role_in(item.org) is not None,
    }
