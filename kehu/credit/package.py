"""The credit file's part of a customer's dossier package: limit, exposure and hold."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehu.core import policy
from kehu.credit.models import CreditAccount
from kehu.credit.selectors import reason_labels
from kehu.customers.package import Package

FIELDS = (
    "limit_amount",
    "payment_days",
    "overdue_allowed",
    "temporary_amount",
    "temporary_until",
    "rating",
    "open_receivables",
    "open_orders",
    "earliest_due",
    "held",
    "held_since",
    "next_review_on",
)


def credit_part(package: Package) -> None:
    if not policy.has_perm(package.user, "credit.creditaccount.view", package.customer):
        return
    account = CreditAccount.objects.filter(customer=package.customer).first()
    if account is None:
        return
    pairs = package.pairs(account, FIELDS)
    if account.hold_reasons:
        pairs.append((_("hold reasons"), "、".join(reason_labels(account.hold_reasons))))
    package.section(_("Credit file"), pairs)
