"""Keyset pages count rows among a short list of ids (a search's candidates) with the first
page, in the same query; every other page still asks COUNT, and both give the same total."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Q, QuerySet
from django.test.utils import CaptureQueriesContext

from kehu.core.models import User
from kehu.generic.listing import KeysetPage, _among_few_ids, keyset_page

pytestmark = pytest.mark.django_db


def _page(queryset: QuerySet[User], **kwargs: Any) -> tuple[KeysetPage, int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        page = keyset_page(queryset, "username", 2, **kwargs)
    counts = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(")]
    return page, len(captured), counts


def test_a_first_page_among_listed_ids_is_counted_in_its_own_query(
    demo: dict[str, User],
) -> None:
    ids = list(User.objects.order_by("pk").values_list("pk", flat=True)[:7])
    among = User.objects.filter(pk__in_ids=frozenset(ids), is_active=True)
    expected = among.count()
    assert expected > 2

    first, queries, counts = _page(among)
    assert (first.total, first.total_capped, len(first.rows), queries, counts) == (
        expected, False, 2, 1, [],
    )  # fmt: skip
    following, queries, counts = _page(among, after=first.next_cursor)
    assert (following.total, queries, len(counts)) == (expected, 2, 1)

    # With a count limit, the same cap as the COUNT query's.
    capped, _queries, counts = _page(among, count_limit=2)
    assert (capped.total, capped.total_capped, counts) == (2, True, [])
    assert _page(among, after=first.next_cursor, count_limit=2)[0].total_capped


def test_rows_not_bound_to_the_ids_are_counted_as_before(demo: dict[str, User]) -> None:
    ids = frozenset(User.objects.values_list("pk", flat=True)[:3])
    everyone = User.objects.all()
    unbounded = [
        everyone,
        everyone.filter(Q(pk__in_ids=ids) | Q(is_active=True)),
        everyone.exclude(pk__in_ids=ids),
        everyone.filter(pk__in=User.objects.filter(pk__in_ids=ids).values("pk")),
        # A window would count the rows before DISTINCT removes any.
        everyone.filter(pk__in_ids=ids, role_assignments__isnull=False).distinct(),
    ]
    for queryset in unbounded:
        assert not _among_few_ids(queryset)
        page, _queries, counts = _page(queryset)
        assert (page.total, len(counts)) == (queryset.count(), 1)
    assert _among_few_ids(everyone.filter(is_active=True).filter(pk__in_ids=ids))
    # Rows among no more ids than a page holds: the page is its own count, no window needed.
    assert not _among_few_ids(everyone.filter(pk__in_ids=ids), more_than=len(ids))
    with CaptureQueriesContext(connection) as captured:
        page = keyset_page(everyone.filter(pk__in_ids=ids), "username", len(ids))
    assert (page.total, len(captured)) == (len(ids), 1)
    assert "OVER" not in captured[0]["sql"]
