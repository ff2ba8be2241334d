"""Test data of the customer tests: valid identifiers and customer data for the real services."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from kehu.core.models import User
from kehu.customers.identifiers import make_credit_code, make_id_number
from kehu.customers.models import Customer, CustomerKind

# Module-wide counter: names, codes and phones of every made customer stay distinct, so no
# duplicate flag appears unless a test arranges one. The region 110108 is not used by the
# record types' sample data (110105), so the codes never collide with theirs.
_numbers = itertools.count(1)
# Distinct one-character brands: with the number they make distinct name cores.
_BRANDS = "甲乙丙丁戊己庚辛壬癸"


def credit_code(n: int | None = None, prefix: str = "91") -> str:
    """A valid unified social credit code; `prefix` = registration authority + entity type."""
    n = next(_numbers) if n is None else n
    return make_credit_code(f"{prefix}110108MA{n:07d}")


def id_number(birth: datetime.date | None = None, seq: int | None = None) -> str:
    """A valid resident ID number (region 110108); the 17th digit (the last of `seq`) is odd
    for a man. Without a birth date each call gets another day, so numbers never repeat."""
    n = next(_numbers)
    birth = birth or datetime.date(1960, 1, 1) + datetime.timedelta(days=n)
    seq = n % 1000 if seq is None else seq
    return make_id_number(f"110108{birth:%Y%m%d}{seq:03d}")


def unique_phone() -> str:
    return f"010-6{next(_numbers):07d}"


def org_data(owner: User, **overrides: Any) -> dict[str, Any]:
    """Service data of a valid organisation customer owned by `owner`."""
    n = next(_numbers)
    data: dict[str, Any] = {
        "kind": CustomerKind.ORGANIZATION,
        "name": f"北京{_BRANDS[n % 10]}{n}号科技有限公司",
        "owner": owner,
        "unit": owner.unit,
        "credit_code": credit_code(n),
        "phone": unique_phone(),
    }
    data.update(overrides)
    return data


def person_data(owner: User, **overrides: Any) -> dict[str, Any]:
    n = next(_numbers)
    data: dict[str, Any] = {
        "kind": CustomerKind.INDIVIDUAL,
        "name": f"测试{n}",
        "owner": owner,
        "unit": owner.unit,
        "id_number": id_number(),
        "phone": f"139{n:08d}",
    }
    data.update(overrides)
    return data


def form_data(customer: Customer, **changes: Any) -> dict[str, Any]:
    """The edit form's fields as the page would post them, with `changes` applied."""
    from kehu.customers.forms import CustomerForm

    form = CustomerForm(instance=customer, user=customer.owner)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            value = ""
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        elif hasattr(value, "pk"):
            value = value.pk
        data[name] = value
    data.update(changes)
    data["_version"] = customer.version
    return data


def queries_of(client: Any, url: str) -> int:
    """The SQL queries of one GET of `url` (after a first GET: cached settings read,
    session touched), which must succeed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)
