"""Benchmark 3 — list pages of N users.

For the first page, the second page and a deep page (the page starting at row 0.9·N, e.g.
90,000), compares

* `keyset_page()` as the list view calls it (it also runs COUNT(*)), and the bare keyset
  query (the same queryset, filtered by the cursor, ordered, 51 rows, prefetches included)
  against the baseline OFFSET pagination `queryset[offset:offset + 50]`;
* the whole list view through the Django test client (GET /users/?after=…, signed in as a
  system administrator) against the bare keyset query.

The same comparison is repeated for a unit-scoped user (a general manager of one
subsidiary, who sees about 1/8 of the users), whose queryset carries the policy filter.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.data import analyze, make_units, make_user_with_role, make_users
from bench.harness import Measurement, Results, log, measure_alternating, signed_in_client, timed
from kehu.core.models import Role
from kehu.generic import listing, registry
from kehu.generic.templatetags.kehu import tabler_widget

SIZE = 50
SORT = "username"


def _queries(fn: Any) -> int:
    """Queries of one call, after a first call has warmed up caches (session, grants…)."""
    fn()
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _page_cases(
    results: Results, prefix: str, who: str, queryset: Any, total: int, reps: int
) -> dict[str, str]:
    """keyset_page / bare keyset query / OFFSET at three depths; returns the cursors."""
    ordered = queryset.order_by(SORT, "pk")
    depths = {"first": 0, "second": SIZE, "deep": (total * 9 // 10) // SIZE * SIZE}
    cursors: dict[str, str] = {}
    cases = []
    for name, offset in depths.items():
        cursor_values: list[Any] | None = None
        if offset:
            username, pk = ordered.values_list(SORT, "pk")[offset - 1]
            cursor_values = [username, pk]
        cursor = listing._encode(cursor_values) if cursor_values else ""
        cursors[name] = cursor

        def offset_page(offset: int = offset) -> list[Any]:
            return list(ordered[offset : offset + SIZE])

        def bare_keyset(cursor_values: list[Any] | None = cursor_values) -> list[Any]:
            qs = queryset
            if cursor_values:
                qs = qs.filter(listing._after(SORT, False, *cursor_values, backwards=False))
            return list(qs.order_by(SORT, "pk")[: SIZE + 1])

        def keyset(cursor: str = cursor) -> listing.KeysetPage:
            return listing.keyset_page(queryset, SORT, SIZE, after=cursor)

        # The three must show the same rows, or the comparison is meaningless.
        expected = [r.pk for r in offset_page()]
        assert [r.pk for r in bare_keyset()[:SIZE]] == expected, name
        assert [r.pk for r in keyset().rows] == expected, name

        for key, text, fn in (
            ("offset", f"OFFSET {offset:,} LIMIT {SIZE}", offset_page),
            ("bare", "bare keyset query", bare_keyset),
            ("keyset", "keyset_page() incl. COUNT", keyset),
        ):
            m = Measurement(f"{prefix}_{name}_{key}", text, 1, "page")
            m.extra["queries"] = _queries(fn)
            cases.append((results.add(m), fn))
    count_m = results.add(Measurement(f"{prefix}_count", f"{who}: COUNT(*)", 1, "page"))
    cases.append((count_m, queryset.count))
    measure_alternating(cases, reps)
    for name, offset in depths.items():
        where = f"row {offset:,}" if offset else "first page"
        results.compare(
            f"{who}, {where}: keyset_page() vs OFFSET",
            f"{prefix}_{name}_keyset",
            f"{prefix}_{name}_offset",
        )
        results.compare(
            f"{who}, {where}: bare keyset vs OFFSET",
            f"{prefix}_{name}_bare",
            f"{prefix}_{name}_offset",
        )
    return cursors


def _view_cases(
    results: Results,
    prefix: str,
    who: str,
    client: Client,
    cursors: dict[str, str],
    queryset: Any,
    reps: int,
) -> None:
    rt = registry.get("users")
    cases = []
    for name in ("first", "deep"):
        url = "/users/" + (f"?after={cursors[name]}" if cursors[name] else "")

        def view(url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert b'id="next-page"' in response.content

        def partial(url: str = url) -> None:
            response = client.get(url, headers={"HX-Request": "true"})
            assert response.status_code == 200, (url, response.status_code)

        for key, text, fn in (
            ("view", "GET /users/ (whole page)", view),
            ("partial", f"{who}, {name} page: GET /users/ as HX-Request (table only)", partial),
        ):
            m = Measurement(f"{prefix}_{name}_{key}", text, 1, "page")
            m.extra["queries"] = _queries(fn)
            cases.append((results.add(m), fn))

    def filter_form() -> list[str]:
        filterset = rt.listing.filterset(QueryDict(), queryset=queryset)
        return [str(tabler_widget(field)) for field in filterset.form]

    m = Measurement(f"{prefix}_filter_form", f"{who}: the filter form alone (rendered)", 1, "page")
    cases.append((results.add(m), filter_form))
    measure_alternating(cases, reps)
    for name in ("first", "deep"):
        results.compare(
            f"{who}, {name} page: list view vs bare keyset query",
            f"{prefix}_{name}_view",
            f"{prefix}_{name}_bare",
        )


def run(config: dict[str, Any]) -> Results:
    total = int(config["users"])
    reps = int(config["page_reps"])
    results = Results("list_pages")
    group, units = make_units()
    admin = make_user_with_role("bench_admin", Role.SYSTEM_ADMIN, group)
    manager = make_user_with_role("bench_gm", Role.GENERAL_MANAGER, units[0])
    elapsed, _ = timed(lambda: make_users(total, units))
    analyze()
    results.facts.update(users=total + 2, units=len(units) + 1, setup_s=round(elapsed, 1))
    log(f"list_pages: created {total:,} users in {elapsed:.1f} s")

    rt = registry.get("users")
    for prefix, who, user in (("admin", "admin", admin), ("scoped", "subsidiary GM", manager)):
        queryset, _filterset = listing.visible_rows(rt, user, QueryDict())
        visible = queryset.count()
        results.facts[f"{prefix}_visible_rows"] = visible
        log(f"list_pages: {who} sees {visible:,} users")
        cursors = _page_cases(results, prefix, who, queryset, visible, reps)
        client = signed_in_client(user)
        _view_cases(results, prefix, who, client, cursors, queryset, reps)
    return results
