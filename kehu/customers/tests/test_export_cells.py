"""The Excel export writes what a user typed as inert text: a customer or address that starts
like a formula (=, +, -, @, tab, CR) must not become a formula cell in Excel."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client
from openpyxl import load_workbook

from kehu.customers.models import Customer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

ATTACKS = [
    '=HYPERLINK("http://e.x","点")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|'/C calc'!A0",
    "@SUM(1+1)*cmd|'/C calc'!A0",
    "=1+1",
]


def test_export_writes_formula_like_text_as_text(
    make_org: Callable[..., Customer], client_for: Callable[[str], Client]
) -> None:
    customers = [
        make_org(owner="manager1", name=f"导出测试{n}号有限公司", city=attack)
        for n, attack in enumerate(ATTACKS)
    ]
    response = client_for("auditor").get("/customers/export.xlsx", {"q": "导出测试"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row}
    for attack in ATTACKS:
        assert attack in cells, attack
        cell = cells[attack]
        assert cell.data_type == "s", (attack, cell.data_type)
        assert cell.quotePrefix, attack
    assert not [c for c in cells.values() if c.data_type == "f"]
    assert len(customers) == len(ATTACKS)
