"""Which of the customer card's usually empty lists have rows.

Most customers have no change request, open duplicate flag, merged-in customer or access
grant. One statement of four EXISTS tells which lists to read; the others are shown empty
without a query."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from kehu.core.grants import RUNNING_SQL
from kehu.core.models import AccessGrant
from kehu.customers.models import ChangeRequest, Customer, DuplicateFlag


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
