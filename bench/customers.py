"""Benchmark 5 — customers at N rows: list page, searches, card and API.

N customers (1 in 7 a person, the rest organisations with 1–3 contacts) spread over 10
sales departments, written in bulk and indexed for search in one pass (both timed), then
ANALYZE. Signed in as the head of one department (policy-scoped to ≈ N/10 customers), it
times through the Django test client:

* the list page with two filters and a sort (an account manager's active customers; also
  active customers of one city);
* searches: a common 2-character fragment, a rare one, a 4-character one, pinyin initials
  and a full credit code;
* a customer's card;
* an API page of 100 customers (Bearer token).

Baselines: for pages and searches the bare SQL of the same rows — the queryset the view
builds, evaluated (51 rows, with its prefetches) without the view, after a search's n-gram
index lookup; for the card, the customer with contacts and accounts, and every statement the
card runs for its panels replayed; for the API, the same 100 rows as `.values()` serialised
with orjson. Each case records median, p95 and the number
of SQL queries of one request. Also timed: the old plain substring scan for two searches.
"""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import customer_data
from bench.data import analyze
from bench.harness import Measurement, Results, log, measure_alternating, timed
from kehu.api.services import create_token
from kehu.customers import demo as customer_demo
from kehu.customers import search
from kehu.customers.models import Customer
from kehu.customers.search import storage
from kehu.customers.search.grams import query_grams
from kehu.generic import listing, registry

# The list as a department head narrows it: one account manager's active customers (the
# shape the (owner, status, name_pinyin) index serves), and a city, which no index combines
# with the scope.
LIST_PARAMS = "status=active&owner={owner}&sort=name_pinyin"
LIST_CITY_PARAMS = "status=active&city=北京&sort=name_pinyin"
RARE_NAME = "鑫淼"
SEARCHES = {
    "common2": ("科技", "2-char common"),
    "rare2": (RARE_NAME, "2-char rare"),
    "four": ("华夏科技", "4-char"),
    "initials": ("bjhx", "pinyin initials"),
    "code": ("", "credit code"),  # a real code, found after generation
}
PLANTED = 20  # customers named …鑫淼…, the rare fragment


def _queries(fn: Callable[[], Any]) -> int:
    fn()
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _plant_rare_names(count: int) -> None:
    """A few customers whose name holds a fragment no generated name has."""
    step = max(1, count // PLANTED)
    for pk in range(step, count + 1, step)[:PLANTED]:
        customer = Customer.objects.get(pk=pk)
        name = customer.name[:2] + RARE_NAME + customer.name[4:]
        text = customer.search_text.replace(customer.name, name.lower(), 1)
        Customer.objects.filter(pk=pk).update(name=name, search_text=text)


def _generate(results: Results, count: int, reuse: bool) -> customer_data.Org:
    """Generate, or with --reuse find the data an earlier run generated (its facts are kept
    in the data folder beside it)."""
    marker = Path(os.environ["KEHU_DATA_DIR"], "customers-generated.json")
    if reuse and marker.exists():
        facts = json.loads(marker.read_text(encoding="utf-8"))
        if facts.get("customers") == count and Customer.objects.filter(pk=count).exists():
            results.facts.update(facts, reused=True)
            log(f"customers: reusing the {count:,} customers generated earlier")
            return customer_data.find_org()
        raise SystemExit(f"{marker.parent} holds other data: use another --reuse name")
    if reuse and Customer.objects.exists():
        raise SystemExit("the reused database holds customers but no marker: drop it first")
    with transaction.atomic():
        org = customer_data.make_org()
        data_s, contacts = timed(lambda: customer_data.make_customers(count, org))
        _plant_rare_names(count)
    index_s, _ = timed(storage.rebuild)
    analyze_s, _ = timed(analyze_all)
    results.facts.update(
        customers=count,
        contacts=contacts,
        generate_s=round(data_s, 1),
        index_s=round(index_s, 1),
        analyze_s=round(analyze_s, 1),
        rows_per_s=round(count / data_s),
    )
    log(f"customers: {count:,} customers + {contacts:,} contacts in {data_s:.1f} s")
    log(f"customers: search index built in {index_s:.1f} s, ANALYZE {analyze_s:.1f} s")
    if reuse:
        marker.write_text(json.dumps(results.facts), encoding="utf-8")
    return org


def analyze_all() -> None:
    analyze()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run(config: dict[str, Any]) -> Results:
    count = int(config["customers"])
    reps = max(20, int(config["page_reps"]))
    results = Results("customers")
    org = _generate(results, count, bool(config.get("reuse")))
    # The demo's classification dimensions, as an administrator would have set them up: the
    # list's filter form offers one select per dimension (values are not assigned).
    results.facts["classification_values"] = sum(
        len(values) for values in customer_demo.load_classifications().values()
    )
    dept = org.departments[0]
    head = org.heads[dept.pk]
    rt = registry.get("customers")
    code = (
        Customer.objects.filter(unit=dept, credit_code__isnull=False)
        .values_list("credit_code", flat=True)
        .order_by("pk")[count // 20 : count // 20 + 1]
        .get()
    )
    searches = {**SEARCHES, "code": (code, "credit code")}
    card_pk = Customer.objects.filter(unit=dept, kind="organization").order_by("-pk")[0].pk
    client = Client()
    client.force_login(head)
    _token, raw = create_token(head, "bench")
    api = Client(headers={"authorization": f"Bearer {raw}"})

    cases: list[tuple[Measurement, Callable[[], Any]]] = []

    def add(key: str, label: str, fn: Callable[[], Any]) -> None:
        m = results.add(Measurement(key, label, 1, "page"))
        m.extra["queries"] = _queries(fn)
        cases.append((m, fn))

    def page_pair(key: str, label: str, query: str, term: str = "") -> None:
        params = QueryDict(query)
        url = f"/customers/?{query}"
        # A search's rows come from two statements: the n-gram index's candidates, then the
        # page among them (or, for a common term, a scan). The queryset below holds the
        # candidates found when it was built, so the bare SQL runs the lookup again.
        grams = query_grams(search.terms_of(term)) if term else set()

        def view() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        queryset, _filterset = listing.visible_rows(rt, head, params)
        sort = listing.sort_key(rt, params.get("sort", ""))
        order = [sort, "-pk" if sort.startswith("-") else "pk"]

        def lookup() -> Any:
            return storage.candidates(grams, search.CANDIDATE_LIMIT)

        def bare() -> list[Any]:
            if grams:
                lookup()
            return list(queryset.order_by(*order)[:51])

        rows = len(bare())
        results.facts[f"{key}_rows_on_page"] = min(rows, 50)
        add(f"{key}_view", f"GET /customers/?{query}", view)
        what = "the index lookup + " if grams else ""
        add(f"{key}_bare", f"bare SQL, same rows ({what}the page)", bare)
        results.compare(f"{label}: view vs bare SQL", f"{key}_view", f"{key}_bare")
        if grams:
            add(f"{key}_lookup", "of which the index lookup alone", lookup)

    owner = org.owners[dept.pk][0].pk
    page_pair("list", "list page, 2 filters + sort", LIST_PARAMS.format(owner=owner))
    page_pair("list_city", "list page, status + city + sort", LIST_CITY_PARAMS)
    for key, (term, label) in searches.items():
        page_pair(key, f"search {label} '{term}'", f"q={term}", term)

    def card() -> None:
        response = client.get(f"/customers/{card_pk}/")
        assert response.status_code == 200

    card_qs = rt.base_queryset()

    def card_bare() -> Any:
        customer = card_qs.get(pk=card_pk)
        return customer, list(customer.contacts.all()), list(customer.bank_accounts.all())

    statements = _card_statements(client, f"/customers/{card_pk}/")

    def card_sql() -> None:
        with connection.cursor() as cursor:
            for sql, sql_params in statements:
                cursor.execute(sql, sql_params)
                cursor.fetchall()

    add("card_view", f"GET /customers/{card_pk}/", card)
    add("card_bare", "bare SQL: the customer, contacts, accounts", card_bare)
    add("card_sql", f"bare SQL: the card's {len(statements)} statements replayed", card_sql)
    results.compare("customer card: view vs bare SQL", "card_view", "card_bare")
    results.compare("customer card: view vs all its SQL", "card_view", "card_sql")

    api_qs, _f = listing.visible_rows(rt, head, QueryDict())
    api_qs = api_qs.order_by("name_pinyin", "pk")

    def api_page() -> Any:
        response = api.get("/api/v1/customers/?size=100")
        assert response.status_code == 200, response.content[:200]
        return response

    # Checked once, untimed: parsing the 160 KB answer is the client's work, not the
    # server's (json.loads ≈ 0.8 ms; the pages' cases do not parse their HTML either).
    assert len(api_page().json()["results"]) == 100

    def values_orjson() -> bytes:
        return orjson.dumps(list(api_qs.values()[:100]), default=str)

    add("api_view", "GET /api/v1/customers/?size=100", api_page)
    add("api_values", ".values() + orjson, same 100 rows", values_orjson)
    results.compare("API page of 100: view vs values()+orjson", "api_view", "api_values")

    measure_alternating(cases, reps)
    _old_scan(results, head, rt, reps)
    for m in results.measurements.values():
        m.extra["p95_ms"] = round(_p95(m.times) * 1000, 2)
        if m.cpu_times:
            m.extra["cpu_median_ms"] = round(statistics.median(m.cpu_times) * 1000, 2)
            m.extra["cpu_p95_ms"] = round(_p95(m.cpu_times) * 1000, 2)
    return results


def _card_statements(client: Client, url: str) -> list[tuple[str, Any]]:
    """The SQL the card runs for its panels: every statement of one request except those a
    plain page runs as well (session, user, roles, grants, policy, notifications)."""

    def captured(path: str) -> list[tuple[str, Any]]:
        statements: list[tuple[str, Any]] = []

        def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            statements.append((sql, params))
            return execute(sql, params, many, context)

        client.get(path)  # warm: caches filled as a repeated request finds them
        with connection.execute_wrapper(keep):
            assert client.get(path).status_code == 200
        return statements

    plain = {(sql, repr(params)) for sql, params in captured("/notifications/")}
    return [
        (sql, params)
        for sql, params in captured(url)
        if (sql, repr(params)) not in plain and _is_read(sql)
    ]


def _is_read(sql: str) -> bool:
    """Not the transaction of a read event appended to the audit chain (the contacts panel
    is a read of personal data): replayed, it would fork the chain."""
    text = sql.lstrip().upper()
    return text.startswith(("SELECT", "WITH")) and "FOR UPDATE" not in text


def _old_scan(results: Results, head: Any, rt: Any, reps: int) -> None:
    """Before the index: the page of a plain substring filter (what filter_text did)."""
    cases = []
    for key in ("rare2", "four"):
        term = SEARCHES[key][0]
        queryset, _f = listing.visible_rows(rt, head, QueryDict())
        scan = queryset.filter(search_text__contains=term).order_by("name_pinyin", "pk")

        def page(scan: Any = scan) -> list[Any]:
            return list(scan[:51])

        m = results.add(Measurement(f"{key}_old_scan", f"old substring scan '{term}'", 1, "page"))
        cases.append((m, page))
    measure_alternating(cases, min(reps, 3))


def _p95(times: list[float]) -> float:
    if len(times) < 2:
        return times[0]
    return statistics.quantiles(times, n=20, method="inclusive")[-1]
