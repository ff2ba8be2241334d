"""Benchmark — the credit check (`POST /api/v1/credit/check`).

Data: `--size` open invoices (default 1,000,000 with `--size 1000000`) over size/10 customers
(bench/customer_data.py), a tenth of the customers with an open order, each customer's
credit account (its exposure summary row) summed once the way the services keep it.
Subject: `kehu.credit.exposure.credit_check()` for one customer (the summary row, and the
overdue sum when an invoice is past due), and the whole API request through the test client
as a credit manager of the group. Baseline: the bare indexed SELECT of the same sums from the
invoice and order tables (open amount, overdue amount, open orders) for the same customer.
Per call: median and p95 over the sampled customers.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench import customer_data
from bench.data import analyze
from bench.harness import Measurement, Results, log, timed
from kehu.api.services import create_token
from kehu.core.models import OrgUnit, Role, RoleAssignment, User
from kehu.credit.exposure import credit_check
from kehu.credit.models import CreditAccount, OpenOrder, Receivable
from kehu.customers.models import Customer

INVOICES_PER_CUSTOMER = 10
BATCH = 20_000
SAMPLE = 500


def _invoices(customers: int, today: datetime.date) -> int:
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    written = 0
    for customer_id in range(1, customers + 1):
        for n in range(INVOICES_PER_CUSTOMER):
            due = today + datetime.timedelta(days=rng.randrange(-150, 60))
            amount = Decimal(rng.randrange(1_000, 500_000)) / 100 * 100
            paid = amount / 2 if n % 3 == 0 else Decimal(0)
            rows.append({
                "customer_id": customer_id, "invoice_number": f"B{customer_id:07d}-{n}",
                "invoice_date": due - datetime.timedelta(days=30), "due_date": due,
                "amount": amount, "paid": paid, "open_amount": amount - paid,
                "updated_at": timezone.now(),
            })  # fmt: skip
            if len(rows) >= BATCH:
                customer_data.insert(Receivable, rows)
                written += len(rows)
                rows = []
    if rows:
        customer_data.insert(Receivable, rows)
        written += len(rows)
    orders = [
        {"customer_id": c, "order_number": f"SO{c:07d}", "order_date": today,
         "amount": Decimal(50_000), "closed": False, "updated_at": timezone.now()}
        for c in range(1, customers + 1, 10)
    ]  # fmt: skip
    for start in range(0, len(orders), BATCH):
        customer_data.insert(OpenOrder, orders[start : start + BATCH])
    return written


def _summaries(today: datetime.date) -> None:
    """Each customer's account row with the sums the services maintain, in one statement."""
    receivable, order, account = (
        Receivable._meta.db_table, OpenOrder._meta.db_table, CreditAccount._meta.db_table
    )  # fmt: skip
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {account} (customer_id, version, created_at, updated_at, "
            "limit_amount, payment_days, overdue_allowed, temporary_amount, rating, "
            "open_receivables, open_orders, earliest_due, held, hold_reasons) "
            f"SELECT r.customer_id, 1, %s, %s, 2000000, 30, 100000, 0, '', "
            f"SUM(r.open_amount), COALESCE((SELECT SUM(o.amount) FROM {order} o "
            "WHERE o.customer_id = r.customer_id AND NOT o.closed), 0), MIN(r.due_date), "
            f"false, '[]' FROM {receivable} r WHERE r.open_amount > 0 GROUP BY r.customer_id",
            [now, now],
        )


BARE_SQL = (
    "SELECT (SELECT SUM(open_amount) FROM {r} WHERE customer_id = %s AND open_amount > 0), "
    "(SELECT SUM(open_amount) FROM {r} WHERE customer_id = %s AND open_amount > 0 "
    "AND due_date < %s), "
    "(SELECT SUM(amount) FROM {o} WHERE customer_id = %s AND NOT closed)"
)


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)


def run(config: dict[str, Any]) -> Results:
    invoices = int(config["customers"])
    customers = max(invoices // INVOICES_PER_CUSTOMER, 1)
    reps = int(config["reps"])
    results = Results("credit_check")
    today = timezone.localdate()
    with transaction.atomic():
        org = customer_data.make_org()
        made_s, _ = timed(lambda: customer_data.make_customers(customers, org))
        rows_s, written = timed(lambda: _invoices(customers, today))
        sums_s, _ = timed(lambda: _summaries(today))
        group = OrgUnit.objects.get(code="BG")
        controller = User.objects.create_user(username="bench_credit", password="x", unit=group)
        RoleAssignment.objects.create(user=controller, role=Role.CREDIT_MANAGER, unit=group)
    analyze()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    log(f"credit_check: {customers:,} customers ({made_s:.0f} s), {written:,} invoices "
        f"({rows_s:.0f} s), summaries ({sums_s:.0f} s)")  # fmt: skip
    results.facts.update(customers=customers, invoices=written)

    rng = random.Random(11)
    sample = [rng.randrange(1, customers + 1) for _ in range(SAMPLE)]
    objects = {c.pk: c for c in Customer.objects.filter(pk__in=sample).only("pk")}
    bare = BARE_SQL.format(r=Receivable._meta.db_table, o=OpenOrder._meta.db_table)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(controller, 'bench')[1]}")
    amount = Decimal("1000.00")

    def check(pk: int) -> None:
        credit_check(objects[pk], amount, today)

    def sql(pk: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(bare, [pk, pk, today, pk])
            cursor.fetchone()

    def api(pk: int) -> None:
        response = client.post(
            "/api/v1/credit/check", {"customer": pk, "amount": "1000"},
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 200, response.content

    cases = [
        (Measurement("sql", "bare indexed SELECT of the same sums", 1, "check"), sql),
        (Measurement("check", "credit_check() of one customer", 1, "check"), check),
        (Measurement("api", "POST /api/v1/credit/check (test client)", 1, "check"), api),
    ]
    for m, _fn in cases:
        results.add(m)
    for fn in (sql, check, api):  # warm-up
        for pk in sample[:20]:
            fn(pk)
    for round_no in range(reps):
        for pk in sample:
            for m, fn in cases:
                start = time.perf_counter()
                fn(pk)
                m.times.append(time.perf_counter() - start)
        log(f"round {round_no + 1}/{reps} done")
    for m, _fn in cases:
        m.extra["p95_ms"] = round(_p95(m.times) * 1000, 3)
        m.extra["median_ms"] = round(statistics.median(m.times) * 1000, 3)
        log(f"{m.key}: median {m.extra['median_ms']} ms, p95 {m.extra['p95_ms']} ms")
    results.compare("credit check vs the bare sums", "check", "sql")
    results.compare("credit check API vs the bare sums", "api", "sql")
    return results
