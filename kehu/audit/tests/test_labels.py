"""A record's history reads in the reader's language: every action Kehu records has a label,
a recorded choice shows its label (not its stored code), yes/no instead of True/False, and
the system as 系统."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from kehu.audit.context import SYSTEM, acting_as
from kehu.audit.models import AuditEvent
from kehu.audit.presentation import VERBS, describe
from kehu.audit.services import record
from kehu.core.models import User
from kehu.customers import services as customer_services
from kehu.customers.models import Customer, CustomerStatus

KEHU = Path(__file__).resolve().parents[2]
# Actions whose last part is a variable: the values the callers pass.
VARIABLE_VERBS = {"create", "update", "delete", "cancel", "decide", "incident", "download"}
VARIABLE_VERBS |= {"preview", "merge_move", "print", "export", "read", "reveal", "accept"}
VARIABLE_VERBS |= {"reject", "approve"}


def recorded_verbs() -> set[str]:
    """The last part of every action string passed to `record(...)` in Kehu's code."""
    verbs = set(VARIABLE_VERBS)
    for path in KEHU.rglob("*.py"):
        if {"tests", "migrations"} & set(path.relative_to(KEHU).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name == "record" and isinstance(first, ast.Constant):
                verbs.add(str(first.value).rsplit(".", 1)[-1])
    return verbs


def test_every_recorded_action_has_a_label() -> None:
    verbs = recorded_verbs()
    assert len(verbs) > 60  # the scan found the calls
    assert sorted(verbs - set(VERBS)) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_module")
def test_history_shows_choice_labels_and_yes_no(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    customer = customer_services.create_customer(
        {"kind": "individual", "name": "王历史", "owner": demo["manager1"],
         "unit": demo["manager1"].unit, "phone": "13812345678"}
    )  # fmt: skip
    contact = customer_services.create_contact(
        {"customer": Customer.objects.get(pk=customer.pk), "name": "李四", "gender": "female",
         "mobile": "13800138000", "is_primary": True, "role": "finance"}
    )  # fmt: skip
    event = AuditEvent.objects.get(action="customers.contact.create", object_id=str(contact.pk))
    with translation.override("zh-hans"):
        changes = {
            label: (before, str(after)) for label, before, after in describe([event])[0].changes
        }
    assert changes["性别"] == (None, "女")
    assert changes["主要联系人"] == (None, "是")
    assert "finance" not in {after for _before, after in changes.values()}

    with acting_as(SYSTEM):
        record(
            "customers.customer.status",
            customer,
            changes={"status": [CustomerStatus.IN_FILING, CustomerStatus.ACTIVE]},
        )
    with translation.override("zh-hans"):
        html = render_to_string(
            "audit/_history.html",
            {"history": AuditEvent.objects.filter(action="customers.customer.status")},
        )
    assert "备案中 → 正常合作" in html
    assert "系统" in html and ">system<" not in html
    page = client_for("manager1").get(f"/customers/{customer.pk}/").content.decode()
    assert "female" not in page and "in_filing" not in page
