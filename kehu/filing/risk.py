"""High-risk triggers (FIL-5): the active rules, evaluated against a customer. A customer that
trips any rule gets a due-diligence step ending in a risk assessment report."""

from __future__ import annotations

import datetime
import re
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.models import AuditEvent
from kehu.customers.models import Customer
from kehu.filing import watchlist
from kehu.filing.models import RiskRule, RuleKind

ADDRESS_FIELDS = ("registered_address", "operating_address", "address")
_MUNICIPALITY = re.compile(r"^(北京|上海|天津|重庆|香港|澳门)")
_PROVINCE = re.compile(r"^.{2,6}?(省|自治区|特别行政区)")
_CITY = re.compile(r"^(.{1,7}?(市|自治州|地区|盟))")


@dataclass(frozen=True)
class Flag:
    rule: int
    kind: str
    name: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def city_of(address: str) -> str:
    """The city an address names ("浙江省杭州市西湖区…" → "杭州市", "北京市海淀区…" → "北京");
    "" when it names none."""
    text = re.sub(r"\s+", "", address or "")
    municipality = _MUNICIPALITY.match(text)
    if municipality:
        return municipality[1]
    text = _PROVINCE.sub("", text, count=1)
    city = _CITY.match(text)
    return city[1] if city else ""


def address_changes(customer: Customer, declared: int = 0) -> int:
    """Changes of the registered or operating address: from the customer's audit history, or
    the number found in the public registry when that is higher."""
    if not customer.pk:
        return declared
    recorded = (
        AuditEvent.objects.filter(
            object_type="customers.customer", object_id=str(customer.pk), action__endswith=".update"
        )
        .filter(Q(changes__has_key="registered_address") | Q(changes__has_key="operating_address"))
        .count()
    )
    return max(recorded, declared)


def _check(
    rule: RiskRule, customer: Customer, declared_changes: int, today: datetime.date
) -> str | None:
    """The detail of a tripped rule, or None."""
    if rule.kind == RuleKind.SENSITIVE_INDUSTRY:
        if customer.industry and customer.industry in (rule.industries or []):
            return str(customer.get_industry_display())
    elif rule.kind == RuleKind.ADDRESS_CITIES_DIFFER:
        registered = city_of(customer.registered_address)
        operating = city_of(customer.operating_address)
        if registered and operating and registered != operating:
            return f"{registered} ≠ {operating}"
    elif rule.kind == RuleKind.ADDRESS_CHANGES:
        count = address_changes(customer, declared_changes)
        if count > (rule.threshold or 0):
            return _("%(n)s address changes") % {"n": count}
    elif rule.kind == RuleKind.WATCH_LIST:
        hits = list(watchlist.matches(customer))
        if hits:
            return "; ".join(f"{h.get_list_kind_display()}: {h.name}" for h in hits)
    elif rule.kind == RuleKind.YOUNG_COMPANY:
        founded = customer.founded_on
        if founded and (today - founded).days < (rule.threshold or 0):
            return _("founded on %(date)s") % {"date": founded.isoformat()}
    return None


def evaluate(
    customer: Customer, declared_changes: int = 0, today: datetime.date | None = None
) -> list[Flag]:
    today = today or timezone.localdate()
    flags = []
    for rule in RiskRule.objects.filter(is_active=True).order_by("kind", "pk"):
        detail = _check(rule, customer, declared_changes, today)
        if detail is not None:
            flags.append(Flag(rule.pk, rule.kind, rule.name, detail))
    return flags
