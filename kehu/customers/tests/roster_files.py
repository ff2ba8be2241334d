"""Roster files for the import tests: valid rows with contacts and bank accounts, written as
xlsx or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from kehu.customers.identifiers import make_credit_code, make_id_number

HEADINGS = ["客户类型", "客户名称", "统一社会信用代码", "身份证号码", "注册资本", "成立日期",
            "电话", "省份", "城市", "联系人", "联系人职务", "联系人手机", "开户名称", "开户银行",
            "银行账号"]  # fmt: skip
BRANDS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


def org_row(n: int, **changes: Any) -> dict[str, Any]:
    brand = BRANDS[n % len(BRANDS)] + BRANDS[(n // len(BRANDS)) % len(BRANDS)]
    row = {
        "客户类型": "企业",
        "客户名称": f"上海{brand}{n}号贸易有限公司",
        "统一社会信用代码": make_credit_code(f"91310115MA{n:07d}"),
        "身份证号码": "",
        "注册资本": "500万",
        "成立日期": "2015年3月5日",
        "电话": f"021-5{n:07d}",
        "省份": "上海市",
        "城市": "上海市",
        "联系人": f"联系人{n}",
        "联系人职务": "采购经理",
        "联系人手机": f"137{n:08d}",
        "开户名称": f"上海{brand}{n}号贸易有限公司",
        "开户银行": "中国工商银行",
        "银行账号": f"6222{n:012d}",
    }
    row.update(changes)
    return row


def person_row(n: int, **changes: Any) -> dict[str, Any]:
    row = dict.fromkeys(HEADINGS, "")
    row |= {
        "客户类型": "个人",
        "客户名称": f"个人{n}",
        "身份证号码": make_id_number(f"310115{1970 + n % 30}0{1 + n % 9}1{n % 10}{n % 1000:03d}"),
        "电话": f"136{n:08d}",
        "省份": "上海市",
    }
    row.update(changes)
    return row


def xlsx(rows: list[dict[str, Any]], headings: list[str] | None = None) -> bytes:
    headings = headings or HEADINGS
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(headings)
    for row in rows:
        sheet.append([row.get(h, "") for h in (headings if headings is not HEADINGS else HEADINGS)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[dict[str, Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADINGS)
    for row in rows:
        writer.writerow([row.get(h, "") for h in HEADINGS])
    return buffer.getvalue().encode(encoding)
