"""The customer card's parts: the panels other contexts add to it, and which of its own
usually empty lists have rows.

Documents, filings and the archive show panels on the card without the customers app knowing
them: each registers a panel provider in its `ready` (`register_panel`). A context whose
process decides the customer's status while it runs (a filing under way) registers a
lifecycle lock, and the card offers no manual status step meanwhile.

Most customers have no change request, open duplicate flag, merged-in customer or access
grant. One statement of four EXISTS tells which lists to read; the others are shown empty
without a query."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from kehu.core.models import AccessGrant
from kehu.core.policy import RUNNING_SQL
from kehu.customers.models import ChangeRequest, Customer, DuplicateFlag


class CardPanel(NamedTuple):
    """What a panel adds to the card's context."""

    context: dict[str, Any]
    # Rows naming users (rows, field): the card reads every named user in one query.
    attach_users: tuple[tuple[list[Any], str], ...] = ()
    # A process under way decides the customer's status: no manual status steps.
    locks_lifecycle: bool = False


type PanelProvider = Callable[[HttpRequest, Customer], CardPanel]
type LifecycleLock = Callable[[Customer], bool]

_PANELS: list[PanelProvider] = []
_LIFECYCLE_LOCKS: list[LifecycleLock] = []


def register_panel(provider: PanelProvider) -> None:
    if provider not in _PANELS:
        _PANELS.append(provider)


def register_lifecycle_lock(lock: LifecycleLock) -> None:
    if lock not in _LIFECYCLE_LOCKS:
        _LIFECYCLE_LOCKS.append(lock)


def panels(request: HttpRequest, customer: Customer) -> list[CardPanel]:
    return [provider(request, customer) for provider in _PANELS]


def lifecycle_locked(customer: Customer) -> bool:
    return any(lock(customer) for lock in _LIFECYCLE_LOCKS)


class CardRows(NamedTuple):
    change_requests: bool
    flags: bool  # open duplicate flags
    merged_from: bool
    grants: bool  # running access grants on the customer


def card_rows(customer: Customer) -> CardRows:
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM {ChangeRequest._meta.db_table} WHERE customer_id = %s), "
        f"EXISTS (SELECT 1 FROM {DuplicateFlag._meta.db_table} "
        "WHERE (first_id = %s OR second_id = %s) AND dismissed_at IS NULL), "
        f"EXISTS (SELECT 1 FROM {Customer._meta.db_table} WHERE merged_into_id = %s), "
        f"EXISTS (SELECT 1 FROM {AccessGrant._meta.db_table} WHERE object_type = %s "
        f"AND object_id = %s AND {RUNNING_SQL})"
    )
    pk = customer.pk
    params: list[Any] = [pk, pk, pk, pk, Customer._meta.label_lower, str(pk), timezone.now()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return CardRows(*(bool(value) for value in row))
