"""Benchmark 9 — customer roster import at N rows.

An xlsx of N customers (1 in 7 a person; each organisation with its primary contact and a
bank account; 22 columns) is imported into an empty register:

* subject: `customers.roster.services.import_roster` — read with python-calamine, every row
  checked with the customer form's rules, duplicates looked up, then committed in batches
  with contacts, accounts, derived data (pinyin, search text and n-gram index, completeness),
  duplicate flags and one audit event per customer;
* peers: django-import-export with a `ModelResource` on Customer (customer columns only; it
  has no notion of the contact and account columns), the same file read through tablib,
  default settings and tuned ones (bulk, skip_diff, batch 1,000, one transaction);
* baseline: raw executemany (SQLite) / executemany (PostgreSQL, psycopg pipeline) of the same
  customers and contacts, already in memory as tuples, one transaction.

Also timed: the importer's reading and cell parsing alone vs python-calamine iterating the
sheet; the peak Python heap (tracemalloc) of the import at N/10 and at N rows (one untimed
run each) and the process's peak RSS. Each case runs once per repetition on an emptied
register (emptying is not timed)."""

from __future__ import annotations

import io
import random
import resource
import tracemalloc
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from openpyxl import Workbook

from bench.data import analyze
from bench.harness import Measurement, Results, log, measure_alternating, timed
from kehu.audit.context import SYSTEM, acting_as
from kehu.core.models import OrgUnit, Role, UnitKind
from kehu.customers.identifiers import make_credit_code, make_id_number
from kehu.customers.models import Contact, Customer, DuplicateFlag
from kehu.customers.roster.services import ROSTER, import_roster
from kehu.customers.roster.spec import RosterContext
from kehu.customers.search import storage
from kehu.generic.importing.engine import read_values

HEADINGS = ["客户类型", "客户名称", "统一社会信用代码", "身份证号码", "企业性质", "法定代表人",
            "注册地址", "成立日期", "注册资本", "经营范围", "电话", "省份", "城市", "备注",
            "联系人", "联系人职务", "联系人手机", "联系人邮箱", "开户名称", "开户银行", "开户支行",
            "银行账号"]  # fmt: skip
CUSTOMER_COLUMNS = {"客户类型": "kind", "客户名称": "name", "统一社会信用代码": "credit_code",
                    "身份证号码": "id_number", "法定代表人": "legal_rep_name",
                    "注册地址": "registered_address", "成立日期": "founded_on",
                    "注册资本": "registered_capital", "经营范围": "business_scope",
                    "电话": "phone", "省份": "province", "城市": "city",
                    "备注": "note"}  # fmt: skip
WORDS = "华夏鑫源恒通瑞丰宏达金泰盛世永安天成博远嘉禾创新汇智云海东方长城"
CITIES = [("北京市", "北京市"), ("上海市", "上海市"), ("广东省", "广州市"), ("浙江省", "杭州市")]


def _row(n: int, rng: random.Random) -> list[Any]:
    province, city = CITIES[n % len(CITIES)]
    if n % 7 == 6:
        birth = f"{1960 + n % 40}{1 + n % 12:02d}{1 + n % 28:02d}"
        number = make_id_number(f"110108{birth}{n % 1000:03d}")
        return ["个人", f"客户{n}", "", number, "", "", "", "", "", "", f"139{n:08d}",
                province, city, "", "", "", "", "", "", "", "", ""]  # fmt: skip
    words = "".join(rng.choice(WORDS) for _ in range(2))
    name = f"{city[:2]}{words}{n}号科技有限公司"
    return [
        "企业", name, make_credit_code(f"91110108MA{n:07d}"), "", "民营企业",
        f"王{rng.choice(WORDS)}{rng.choice(WORDS)}", f"{city}海淀区中关村大街{n % 999}号",
        f"{2000 + n % 24}年{1 + n % 12}月{1 + n % 28}日", f"{100 + n % 900}万",
        "软件开发；技术服务", f"010-6{n:07d}", province, city, "",
        f"李{rng.choice(WORDS)}", "采购经理", f"137{n:08d}", f"buyer{n}@example.com", name,
        "中国工商银行", "北京中关村支行", f"6222{n:012d}",
    ]  # fmt: skip


def make_file(count: int) -> bytes:
    rng = random.Random(9)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("客户")
    sheet.append(HEADINGS)
    for n in range(1, count + 1):
        sheet.append(_row(n, rng))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def empty_register() -> None:
    with connection.cursor() as cursor:
        for model in (DuplicateFlag, Customer.classifications.through, Contact):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        cursor.execute("DELETE FROM customers_bankaccount")
        cursor.execute(f"DELETE FROM {Customer._meta.db_table}")
        cursor.execute("DELETE FROM audit_auditevent WHERE action = 'customers.customer.import'")
    storage.drop_schema(connection)
    storage.create_schema(connection)


def _peer_resource(tuned: bool) -> Any:
    from import_export import fields, resources, widgets

    class CustomerResource(resources.ModelResource):
        # NULL, not "", for the individuals' blank credit code (it is unique).
        credit_code = fields.Field(
            attribute="credit_code",
            column_name="credit_code",
            widget=widgets.CharWidget(allow_blank=False),
        )

        class Meta:
            model = Customer
            fields = ("kind", *CUSTOMER_COLUMNS.values(), "owner", "unit")
            import_id_fields = ("credit_code",)
            if tuned:
                use_bulk = True
                batch_size = 1000
                skip_diff = True
                use_transactions = True
                skip_unchanged = True
                force_init_instance = True

    return CustomerResource()


def _peer_dataset(content: bytes, owner_id: int, unit_id: int) -> Any:
    import tablib

    dataset = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    data = tablib.Dataset(headers=[*CUSTOMER_COLUMNS.values(), "owner", "unit"])
    kinds = {"企业": "organization", "个人": "individual"}
    for row in dataset.dict:
        values = [row.get(h) or "" for h in CUSTOMER_COLUMNS]
        values[0] = kinds[values[0]]
        values[2] = values[2] or None
        values[6] = None  # founded_on: the peer has no parser for 2015年3月5日
        values[7] = None  # registered_capital: nor for 500万
        data.append([*values, owner_id, unit_id])
    return data


def _raw_rows(content: bytes, owner_id: int, unit_id: int) -> tuple[list[tuple], list[tuple]]:
    from python_calamine import CalamineWorkbook

    now = timezone.now().isoformat(" ")
    rows = list(
        CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).iter_rows()
    )[1:]
    customers, contacts = [], []
    for pk, row in enumerate(rows, start=1):
        kind = "organization" if row[0] == "企业" else "individual"
        customers.append((pk, kind, row[1], row[2] or None, row[3], row[10], row[11], row[12],
                          row[5], row[6], row[9], "prospect", owner_id, unit_id, now,
                          now))  # fmt: skip
        if row[14]:
            contacts.append((pk, pk, row[14], row[15], row[16], row[17], now, now))
    return customers, contacts


CUSTOMER_SQL = (
    "INSERT INTO customers_customer (id, kind, name, credit_code, id_number, phone, province, "
    "city, legal_rep_name, registered_address, business_scope, status, owner_id, unit_id, "
    "created_at, updated_at, version, org_code, nature, industry, legal_rep_title, chairman, "
    "general_manager, legal_rep_phone, legal_rep_phone_digest, legal_rep_id_number, "
    "legal_rep_digest, operating_address, capital_currency, issuing_authority, certifications, "
    "gender, occupation, employer, phone_digest, email, address, products, contract_numbers, "
    "note, name_pinyin, name_key, search_text, completeness) VALUES (%s, %s, %s, %s, %s, %s, "
    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 1, '', '', '', '', '', '', '', '', '', '', '', "
    "'CNY', '', '', '', '', '', '', '', '', '', '', '', '', '', '', 0)"
)
CONTACT_SQL = (
    "INSERT INTO customers_contact (id, customer_id, name, title, mobile, email, created_at, "
    "updated_at, version, gender, department, mobile_digest, office_phone, role, is_primary, "
    "note) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 1, '', '', '', '', 'other', TRUE, '')"
)


def run(config: dict[str, Any]) -> Results:
    count = int(config["size"])
    reps = int(config.get("import_reps") or 1)
    results = Results("imports")
    with acting_as(SYSTEM):
        from bench.data import make_user_with_role

        unit = OrgUnit.objects.create(name="销售一部", code="S1", kind=UnitKind.DEPARTMENT)
        user = make_user_with_role("bench_manager", Role.ACCOUNT_MANAGER, unit)
    elapsed, content = timed(lambda: make_file(count))
    log(f"imports: wrote {count:,} rows as xlsx ({len(content) / 1e6:.1f} MB) in {elapsed:.1f} s")
    results.facts.update(rows=count, columns=len(HEADINGS), file_mb=round(len(content) / 1e6, 1))
    context = RosterContext.for_user(user, unit, "bench.xlsx")

    def calamine() -> None:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
        for _row in sheet.iter_rows():
            pass

    def parse() -> None:
        for _line, _values, messages in read_values(ROSTER, "bench.xlsx", content, context):
            assert not messages, messages

    parsing = [
        (Measurement("calamine", "python-calamine iterating the sheet", count, "rows"), calamine),
        (Measurement("parse", "importer: read, match headings, parse cells", count, "rows"), parse),
    ]
    for m, _fn in parsing:
        results.add(m)
    measure_alternating(parsing, max(reps, 3))
    results.compare("parse vs calamine alone", "parse", "calamine")

    def ours() -> None:
        outcome = import_roster(user, unit, "bench.xlsx", content)
        assert outcome.counts["new"] == count, (outcome.counts, list(outcome.errors.items())[:3])

    raw = _raw_rows(content, user.pk, unit.pk)

    def executemany() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(CUSTOMER_SQL, raw[0])
            cursor.executemany(CONTACT_SQL, raw[1])

    def peer(tuned: bool) -> None:
        dataset = _peer_dataset(content, user.pk, unit.pk)
        result = _peer_resource(tuned).import_data(dataset, dry_run=False, raise_errors=True)
        assert result.totals["new"] + result.totals["update"] == count, result.totals

    cases = [
        (Measurement("executemany", "raw executemany, customers + contacts", count, "rows"),
         executemany),
        (Measurement("kehu", "Kehu import_roster (full)", count, "rows"), ours),
        (Measurement("iex_tuned", "django-import-export, tuned", count, "rows"),
         lambda: peer(True)),
        (Measurement("iex_default", "django-import-export, default", count, "rows"),
         lambda: peer(False)),
    ]  # fmt: skip
    only = set(filter(None, str(config.get("import_cases") or "").split(",")))
    cases = [c for c in cases if not only or c[0].key in only]
    for m, _fn in cases:
        results.add(m)
    measure_alternating(cases, reps, before_each=empty_register, warmup=False)
    for key in ("iex_default", "iex_tuned", "executemany"):
        if key in results.measurements and "kehu" in results.measurements:
            results.compare(f"Kehu import vs {key}", "kehu", key)

    empty_register()
    analyze()
    for rows in (count // 10, count):
        part = content if rows == count else make_file(rows)
        empty_register()
        tracemalloc.start()
        import_roster(user, unit, "bench.xlsx", part)
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results.facts[f"peak_python_heap_mib_{rows}"] = round(peak / 2**20, 1)
        log(f"imports: peak Python heap at {rows:,} rows: {peak / 2**20:.1f} MiB")
    results.facts["peak_rss_mib"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    return results
