"""Who may put a customer where: the fields that decide a customer's scope (its department
and its account manager) are checked here against what the acting user may assign, for the
pages' form and the API alike, through the policy."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kehu.core import policy
from kehu.core.models import OrgUnit, Role, UnitKind, User
from kehu.customers.models import Customer

# The roles that manage customers as their owner.
OWNER_ROLES = (Role.ACCOUNT_MANAGER, Role.DEPARTMENT_HEAD)


def assignable_units(user: Any, customer: Customer | None = None) -> QuerySet[OrgUnit]:
    """The departments `user` may register a customer in (a new one) or move it to (an
    existing one, whose current department stays a choice)."""
    action = "add" if customer is None or customer.pk is None else "reassign"
    units = policy.units_where(user, f"customers.customer.{action}").filter(
        kind=UnitKind.DEPARTMENT
    )
    if customer is not None and customer.pk is not None:
        units = units | OrgUnit.objects.filter(pk=customer.unit_id)
    return units.distinct().order_by("path")


def account_managers(units: Any, also: int | None = None) -> QuerySet[User]:
    """Who may own customers of these units (and `also`, e.g. the current owner)."""
    managers = User.objects.filter(
        is_active=True, role_assignments__role__in=OWNER_ROLES, unit__in=units
    ).values("pk")
    return User.objects.filter(Q(pk__in=managers) | Q(pk=also or 0)).order_by("username")


def check_assignment(user: Any, customer: Customer | None, unit: Any, owner: Any) -> None:
    """Refuse a department or account manager that `user` may not give the customer (None:
    a new one): a department outside those the user may assign, an owner who does not
    manage customers there (the administrator, another subsidiary's staff). Unchanged values
    pass. Raises ValidationError({field: [message]})."""
    existing = customer if customer is not None and customer.pk is not None else None
    unit_changed = unit is not None and (existing is None or unit.pk != existing.unit_id)
    owner_changed = owner is not None and (existing is None or owner.pk != existing.owner_id)
    moved = existing is not None and (unit_changed or owner_changed)
    if moved and not policy.has_perm(user, "customers.customer.reassign", existing):
        field = "unit" if unit_changed else "owner"
        raise ValidationError({field: [_("Only the department head may change this.")]})
    units = assignable_units(user, existing)
    if unit is None and existing is None:
        raise ValidationError({"unit": [_("Choose the department.")]})
    if unit_changed and not units.filter(pk=unit.pk).exists():
        message = (
            _("You may not register customers in this department.")
            if existing is None
            else _("You may not move customers to this department.")
        )
        raise ValidationError({"unit": [message]})
    target = unit if unit is not None else getattr(existing, "unit", None)
    if owner_changed and target is not None and not _may_own(owner, target, units):
        message = _(
            "%(user)s does not manage customers of %(unit)s: choose one of its account managers."
        ) % {"user": owner.full_name or owner.username, "unit": target.name}
        raise ValidationError({"owner": [message]})


def _may_own(owner: Any, unit: OrgUnit, units: QuerySet[OrgUnit]) -> bool:
    """Whether `owner` is an account manager of the assignable `units` who would see and
    manage a customer of `unit` as its owner."""
    if not account_managers(units).filter(pk=owner.pk).exists():
        return False
    probe = Customer(unit=unit, owner=owner)
    return policy.has_perm(owner, "customers.customer.view", probe) and policy.has_perm(
        owner, "customers.customer.change", probe
    )


def attachable_customers(user: Any) -> QuerySet[Customer]:
    """The customers to which `user` may add contacts and bank accounts (which then share
    the customer's scope): those the user may change, not merged away."""
    return policy.scope(user, Customer.objects.filter(merged_into=None), "change")


def check_customer_of(user: Any, row: Any, customer: Customer) -> None:
    """A contact's or bank account's customer decides who sees it: a new one goes only to
    a customer the user may change, and an existing one stays with its customer."""
    if row is not None and row.pk is not None and customer.pk != row.customer_id:
        raise ValidationError(
            _("This stays with its customer: add a new one to the other customer instead.")
        )
    if not attachable_customers(user).filter(pk=customer.pk).exists():
        raise ValidationError(_("You may not change this customer."))
