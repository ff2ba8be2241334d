"""Time-limited access to a customer (SEC-1): the owning department's head or the general
manager grants a named user access until a time, with a reason; it ends by itself (the
policy honours only unexpired grants, kehu.core.grants) or when revoked."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import grants, policy
from kehu.core.models import AccessGrant
from kehu.customers.models import Customer

GRANT_PERM = "customers.customer.grant"
# What a grant may allow on a customer (and, through the policy's grant parents, on its
# contacts, accounts, requests and documents). Viewing is always part of it.
ACTIONS = [
    ("view", gettext_lazy("View (card, contacts, documents)")),
    ("change", gettext_lazy("Edit")),
    ("reveal", gettext_lazy("Reveal masked values (with a reason each time)")),
    ("profile", gettext_lazy("Open contacts' extended personal profiles (with their consent)")),
]


def may_grant(user: Any, customer: Customer) -> bool:
    return policy.has_perm(user, GRANT_PERM, customer)


def grantable_actions(user: Any, customer: Customer) -> set[str]:
    """The actions `user` may grant on the customer: those their own roles allow."""
    return {key for key, _label in ACTIONS if grants.role_holds(user, key, customer)}


def access_grant_create(
    customer: Customer,
    *,
    user: Any,
    until: datetime.datetime,
    by: Any,
    reason: str,
    actions: Iterable[str] = (),
) -> AccessGrant:
    if not may_grant(by, customer):
        raise PermissionDenied(_("You may not grant access to this customer."))
    chosen = {"view", *actions} & {key for key, _label in ACTIONS}
    return grants.grant_access(
        user=user, obj=customer, until=until, by=by, reason=reason, actions=sorted(chosen)
    )


def may_revoke(user: Any, access: AccessGrant) -> bool:
    if access.granted_by_id == getattr(user, "pk", None):
        return True
    customer = Customer.objects.filter(pk=access.object_id).first()
    return customer is not None and may_grant(user, customer)


def access_grant_revoke(access: AccessGrant, *, by: Any, reason: str) -> AccessGrant:
    if not may_revoke(by, access):
        raise PermissionDenied(_("You may not revoke this grant."))
    return grants.revoke_access(access, by=by, reason=reason)


def all_grants_visible_to(user: Any) -> QuerySet[AccessGrant]:
    """Every access grant (any object, running or not) for whoever may review them all: the
    auditor's list, its export and the API."""
    return policy.scope(user, AccessGrant.objects.all()).select_related(
        "user", "granted_by", "revoked_by"
    )


def customer_grants() -> QuerySet[AccessGrant]:
    return AccessGrant.objects.filter(object_type=Customer._meta.label_lower).select_related(
        "user", "granted_by", "revoked_by"
    )


def received(user: Any) -> QuerySet[AccessGrant]:
    """The user's own grants that are still running."""
    return policy.active_grants(user, Customer).select_related("user", "granted_by", "revoked_by")


def issued_visible_to(user: Any) -> QuerySet[AccessGrant]:
    """Grants the user issued, or on customers the user may grant access to."""
    grantable = policy.scope(user, Customer.objects.all(), "grant").values_list("pk", flat=True)
    ids = [str(pk) for pk in grantable[:5000]]
    return customer_grants().filter(Q(granted_by=user) | Q(object_id__in=ids))
