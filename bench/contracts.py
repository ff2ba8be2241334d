"""Benchmark — the contract ledger and the semi-annual statistics.

N contracts (`--size`, 500,000 for the target figures) of N/20 customers in 10 sales
departments, written with executemany / COPY, each with its signing event and one in four
with a second event (performed, changed, terminated or disputed), one in ten with an open
hand-over; ANALYZE. As a department head (≈ N/10 contracts in scope), through the test
client: the ledger's first page (default sort) and a filtered page (status + type + signed
from, sorted by amount). Baselines: the bare SQL of the same rows (the queryset the view
builds, 51 rows). Statistics: `contracts.statistics.aggregate` for all departments against
its grouped SQL run on a cursor. Targets: pages p95 < 50 ms and ≤ bare SQL + 15 ms;
statistics ≤ 2× the bare aggregate.
"""

from __future__ import annotations

import datetime
import random
import statistics as stats
from decimal import Decimal
from typing import Any

from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from bench import customer_data
from bench.data import analyze
from bench.harness import Measurement, Results, log, measure_alternating, timed
from kehu.contracts import statistics
from kehu.contracts.models import Contract, ContractEvent, Handover
from kehu.customers.models import Customer
from kehu.generic import listing, registry

TYPES = ("sales", "framework", "purchase", "service", "supplement")
LATER = ("completed", "changed", "terminated", "disputed")
FILTERED = "status=performing&contract_type=sales&signed_from=2025-07-01&sort=-amount"
BATCH = 10_000


def _generate(count: int, org: customer_data.Org) -> None:
    rng = random.Random(5)
    customers = list(Customer.objects.values_list("pk", "unit_id", "owner_id"))
    today = timezone.localdate()
    first = datetime.date(2024, 1, 1)
    span = (today - first).days
    now = timezone.now()
    pk = 0
    event_pk = 0
    handover_pk = 0
    while pk < count:
        contracts, events, handovers = [], [], []
        for _n in range(min(BATCH, count - pk)):
            pk += 1
            customer, unit, owner = customers[rng.randrange(len(customers))]
            signed = first + datetime.timedelta(days=rng.randrange(span))
            kind = TYPES[rng.randrange(len(TYPES))]
            amount = Decimal(rng.randrange(1_000_00, 50_000_000_00)) / 100
            status = rng.choice(("signed", "performing", "performing", "completed", "changed"))
            contracts.append(
                {
                    "id": pk, "number": f"HT-B-{pk:07d}", "customer_id": customer,
                    "unit_id": unit, "title": f"基准合同{pk}", "contract_type": kind,
                    "status": status, "signing_unit": "基准集团", "signatory": "总经理",
                    "handler_id": owner, "amount": amount, "currency": "CNY",
                    "signed_on": signed, "effective_on": signed,
                    "ends_on": signed + datetime.timedelta(days=365), "created_at": now,
                    "updated_at": now - datetime.timedelta(seconds=pk), "version": 1,
                }
            )  # fmt: skip
            base = {"contract_id": pk, "unit_id": unit, "contract_type": kind, "amount": amount,
                    "currency": "CNY", "created_at": now}  # fmt: skip
            event_pk += 1
            events.append({**base, "id": event_pk, "kind": "signed", "happened_on": signed})
            if pk % 4 == 0:
                event_pk += 1
                later = signed + datetime.timedelta(days=rng.randrange(1, 200))
                events.append({**base, "id": event_pk, "kind": LATER[pk % 16 // 4],
                               "happened_on": min(later, today)})  # fmt: skip
            if pk % 10 == 0:
                handover_pk += 1
                handovers.append(
                    {"id": handover_pk, "contract_id": pk, "stage": "officer",
                     "occasion": "signed", "occasion_on": signed,
                     "due_on": signed + datetime.timedelta(days=10), "status": "open",
                     "created_at": now, "updated_at": now, "version": 1, "items": "[]"}
                )  # fmt: skip
        customer_data.insert(Contract, contracts)
        customer_data.insert(ContractEvent, events)
        customer_data.insert(Handover, handovers)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Contract, ContractEvent, Handover):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )


def _p95(times: list[float]) -> float:
    return stats.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]


def run(config: dict[str, Any]) -> Results:
    count = int(config.get("contracts") or config["customers"])
    reps = max(20, int(config["page_reps"]))
    results = Results("contracts")
    org = customer_data.make_org()
    elapsed, _ = timed(lambda: customer_data.make_customers(max(1000, count // 20), org))
    log(f"contracts: {max(1000, count // 20):,} customers in {elapsed:.1f} s")
    elapsed, _ = timed(lambda: _generate(count, org))
    analyze()
    log(f"contracts: {count:,} contracts with events and hand-overs in {elapsed:.1f} s")
    results.facts.update(contracts=count, generate_s=round(elapsed, 1))

    dept = org.departments[0]
    head = org.heads[dept.pk]
    client = Client()
    client.force_login(head)
    rt = registry.get("contracts")
    cases = []

    def page_pair(key: str, label: str, query: str) -> None:
        params = QueryDict(query)
        queryset, _filterset = listing.visible_rows(rt, head, params)
        sort = listing.sort_key(rt, params.get("sort", ""))
        order = [sort, "-pk" if sort.startswith("-") else "pk"]

        def view() -> None:
            response = client.get(f"/contracts/?{query}")
            assert response.status_code == 200

        def bare() -> None:
            list(queryset.order_by(*order)[:51])

        cases.append(
            (results.add(Measurement(f"{key}_view", f"GET /contracts/?{query}", 1, "page")), view)
        )
        cases.append(
            (results.add(Measurement(f"{key}_bare", "bare SQL, same rows", 1, "page")), bare)
        )
        results.compare(f"{label}: view vs bare SQL", f"{key}_view", f"{key}_bare")

    page_pair("ledger", "ledger, first page", "")
    page_pair("filtered", "ledger, filtered", FILTERED)
    period = statistics.period_due(timezone.localdate())
    sql, params = statistics.grouped(period).query.sql_with_params()

    def aggregate() -> None:
        statistics.aggregate(period)

    def bare_aggregate() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    cases.append(
        (
            results.add(
                Measurement("stats", "statistics.aggregate (all departments)", 1, "report")
            ),
            aggregate,
        )
    )
    cases.append(
        (
            results.add(Measurement("stats_bare", "the grouped SQL on a cursor", 1, "report")),
            bare_aggregate,
        )
    )
    results.compare("semi-annual statistics vs bare aggregate", "stats", "stats_bare")
    measure_alternating(cases, reps)
    for measurement, _fn in cases:
        measurement.extra["p95_ms"] = round(_p95(measurement.times) * 1000, 2)
    for key in ("ledger", "filtered"):
        view, bare = results.measurements[f"{key}_view"], results.measurements[f"{key}_bare"]
        results.facts[f"{key}_p95_ms"] = view.extra["p95_ms"]
        results.facts[f"{key}_over_bare_ms"] = round((view.median - bare.median) * 1000, 2)
    return results
