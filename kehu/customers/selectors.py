"""Reads of customers used by the card, the pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from kehu.audit.selectors import customer_trail_url
from kehu.core import policy
from kehu.core.models import OrgUnit, Role, RoleAssignment, User
from kehu.core.selectors import attach_users
from kehu.customers import card, completeness, duplicates
from kehu.customers.card import card_rows
from kehu.customers.models import (
    ChangeRequest,
    ChangeRequestStatus,
    ClassificationDimension,
    ClassificationValue,
    Contact,
    Customer,
    CustomerStatus,
)
from kehu.customers.search import contact_exact_matches
from kehu.customers.services import FILING_TRANSITIONS, TRANSITIONS, allowed_transitions
from kehu.generic import listing, registry
from kehu.infra.configcache import config_cache

REQUESTS = 20  # change requests shown on the card

type Choices = tuple[tuple[int, str], ...]
type DimensionChoices = tuple[tuple[str, str, tuple[tuple[int, str], ...]], ...]


def customer_rows() -> QuerySet[Customer]:
    """Customers with the unit and owner that the action pages show."""
    return Customer.objects.select_related("unit", "owner")


def change_request_rows() -> QuerySet[ChangeRequest]:
    """Change requests with their customer and the people who proposed and decided them."""
    return ChangeRequest.objects.select_related("customer", "proposer", "decided_by")


@config_cache(ClassificationDimension, ClassificationValue)
def classification_filters() -> DimensionChoices:
    """(code, name, ((value id, value name), …)) of each active dimension, in their order:
    the list's classification filters, read by every list page."""
    values: dict[int, list[tuple[int, str]]] = {}
    for value in ClassificationValue.objects.order_by("order", "code").values(
        "pk", "name", "dimension_id"
    ):
        values.setdefault(value["dimension_id"], []).append((value["pk"], value["name"]))
    return tuple(
        (dimension.code, dimension.name, tuple(values.get(dimension.pk, ())))
        for dimension in ClassificationDimension.objects.filter(is_active=True)
    )


def transitions_for(user: Any, customer: Customer) -> list[dict[str, Any]]:
    """Lifecycle steps this user may take on this customer now (none while a filing is under
    way: its outcome decides the status)."""
    return _transitions(user, customer, filing_under_way=card.lifecycle_locked(customer))


def _transitions(user: Any, customer: Customer, filing_under_way: bool) -> list[dict[str, Any]]:
    if filing_under_way:
        return []
    return [
        {"to": to, "label": CustomerStatus(to).label}
        for to, action in allowed_transitions(customer)
        if (customer.status, to) not in FILING_TRANSITIONS
        and policy.has_perm(user, f"customers.customer.{action}", customer)
    ]


def filing_step_asked(user: Any, customer: Customer, to_status: str) -> bool:
    """Whether the user asks by hand for a step they could take, but which only the filing
    case takes (answered with a clear message rather than a refusal)."""
    action = TRANSITIONS.get((customer.status, to_status))
    return (
        action is not None
        and (customer.status, to_status) in FILING_TRANSITIONS
        and policy.has_perm(user, f"customers.customer.{action}", customer)
    )


def card_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    user = request.user
    shown = card.panels(request, customer)
    contacts = list(customer.contacts.all())
    # The contacts panel shows their personal data, as their own pages do: a read.
    registry.get("contacts").record_list_read(contacts, "card")
    accounts = list(customer.bank_accounts.all())
    present = card_rows(customer)
    requests = (
        list(ChangeRequest.objects.filter(customer=customer)[:REQUESTS])
        if present.change_requests
        else []
    )
    status_changes = list(customer.status_changes.all()[:50])
    attach_users(
        (status_changes, "changed_by"),
        (requests, "proposer"),
        *(pair for panel in shown for pair in panel.attach_users),
    )
    pending = sum(r.status == ChangeRequestStatus.PENDING for r in requests)
    if len(requests) == REQUESTS:  # more than shown: count them all
        pending = ChangeRequest.objects.filter(
            customer=customer, status=ChangeRequestStatus.PENDING
        ).count()
    context: dict[str, Any] = {
        "customer": customer,
        "completeness": completeness.assess(customer, contacts, len(accounts)),
        "exactness_rule": completeness.EXACTNESS_RULE,
        "contacts": contacts,
        "contact_problems": {c.pk: completeness.contact_problems(c) for c in contacts},
        "accounts": accounts,
        "classifications": sorted(
            customer.classifications.all(), key=lambda v: (v.dimension.order, v.dimension.code)
        ),
        "flags": duplicates.open_flags(customer, user) if present.flags else [],
        "status_changes": status_changes,
        "transitions": _transitions(
            user, customer, filing_under_way=any(panel.locks_lifecycle for panel in shown)
        ),
        "change_requests": requests,
        "pending_requests": pending,
        "merged_from": (
            list(customer.merged_from.only("pk", "name")) if present.merged_from else []
        ),
        "customer_has_grants": present.grants,  # read by {% grants_panel %}
        "can_merge": policy.has_perm(user, "customers.customer.merge", customer),
        "can_package": policy.has_perm(user, "customers.customer.export", customer),
        "can_verify": policy.has_perm(user, "customers.customer.verify", customer),
        "can_propose": policy.has_perm(user, "customers.changerequest.add", customer),
        "can_edit_contacts": policy.has_perm(user, "customers.customer.change", customer),
        "audit_trail_url": customer_trail_url(user, customer),
    }
    for panel in shown:
        context.update(panel.context)
    return context


def pending_change_requests(user: Any) -> Any:
    """Change requests waiting for this user's decision (owner or department head)."""
    visible = policy.scope(
        user, ChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING), "decide"
    )
    return visible.exclude(proposer=user).select_related("customer", "proposer")


def home_stats(user: Any) -> list[tuple[Any, int, str]]:
    """Figures for the home page: my customers, what waits for my decision."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from kehu.customers.models import ACTIVE_REGISTER

    if not policy.has_perm(user, "customers.customer.view"):
        return []
    customers = policy.scope(user, Customer.objects.filter(status__in=ACTIVE_REGISTER))
    list_url = reverse("generic:customers_list")
    stats: list[tuple[Any, int, str]] = [
        (_("Customers in my scope"), customers.count(), list_url),
        (
            _("My customers"),
            customers.filter(owner_id=user.pk).count(),
            f"{list_url}?owner={user.pk}",
        ),
    ]
    waiting = pending_change_requests(user).count()
    if waiting or policy.has_perm(user, "customers.changerequest.decide"):
        stats.append((_("Change requests for me"), waiting, reverse("customers:change_requests")))
    return stats


@config_cache(OrgUnit, RoleAssignment, User)
def scope_filter_choices(paths: tuple[str, ...] | None) -> tuple[Choices, Choices]:
    """The departments and account managers within the unit subtrees `paths` (None: all),
    as the list's filters offer them: "name (code)", "full name (username)"."""
    everywhere = OrgUnit.objects.all() if paths is None else policy.units_within(paths)
    units = everywhere.filter(kind="department")
    managers = User.objects.filter(
        pk__in=RoleAssignment.objects.filter(role=Role.ACCOUNT_MANAGER, unit__in=units).values(
            "user_id"
        )
    )
    return (
        tuple((u.pk, str(u)) for u in units.order_by("path").only("pk", "name", "code")),
        tuple((m.pk, str(m)) for m in managers.only("pk", "username", "full_name")),
    )


def search_contacts(queryset: QuerySet[Contact], text: str, user: Any) -> QuerySet[Contact]:
    """Name or customer name as a substring; a mobile (encrypted) by its full value, only
    among the contacts whose mobile `user` may reveal, audited and rate-limited
    (`search.contact_exact_matches`): the search must not tell a masked number."""
    matching = listing.search(queryset, ["name", "customer__name"], text)
    exact = contact_exact_matches(text, user)
    if exact is None:
        return matching
    return queryset.filter(Q(pk__in=matching.values("pk")) | exact)
