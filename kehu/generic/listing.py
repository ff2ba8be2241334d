"""Selecting, filtering, sorting and keyset-paging the rows of a record type — shared by
the list page, the Excel export and the API so that all three show the same rows."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Model, Q, QuerySet, Window
from django.db.models.sql.where import AND, WhereNode
from django.http import QueryDict

from kehu.core import policy
from kehu.generic.registry import RecordType
from kehu.infra.lookups import InIds

PAGE_SIZES = (25, 50, 100, 200)
# Rows known to be among at most this many ids are counted with their first page (below).
COUNTED_WITH_PAGE = 5000


def search(queryset: QuerySet[Any], fields: Any, text: str) -> QuerySet[Any]:
    text = text.strip()
    if not text or not fields:
        return queryset
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": text})
    return queryset.filter(condition)


def visible_rows(
    record_type: RecordType, user: Any, params: QueryDict, action: str = "view"
) -> tuple[QuerySet[Any], Any]:
    """The rows `user` may see, narrowed by the filter form and the search box (the list
    page's and the export's queryset: the columns, not what only the card shows)."""
    queryset = policy.scope(user, record_type.list_base_queryset(), action)
    if action != "view":
        queryset = queryset & policy.scope(user, record_type.list_base_queryset(), "view")
    spec = record_type.listing
    extra = {"user": user} if spec.filterset_takes_user else {}
    filterset = spec.filterset(params, queryset=queryset, **extra)
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    return record_type.apply_search(rows, params.get("q", ""), user), filterset


def sort_key(record_type: RecordType, requested: str) -> str:
    allowed = {c.sort for c in record_type.listing.columns if c.sort}
    name = requested.lstrip("-")
    return requested if name in allowed else record_type.listing.default_sort


def _encode(values: list[Any]) -> str:
    raw = json.dumps(values, default=str, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> list[Any] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError:
        return None
    return value if isinstance(value, list) and len(value) == 2 else None


@dataclass
class KeysetPage:
    rows: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    total: int
    sort: str
    size: int
    # True when there are more than `total` rows (see count_rows).
    total_capped: bool = False


def _after(field: str, descending: bool, value: Any, pk: Any, backwards: bool) -> Q:
    forward_desc = descending != backwards
    op = "lt" if forward_desc else "gt"
    pk_op = op
    if field == "pk":
        return Q(**{f"pk__{pk_op}": pk})
    # The redundant bound (>= or <= value) lets the index seek to the cursor, not scan to it.
    return Q(**{f"{field}__{op}e": value}) & (
        Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{pk_op}": pk})
    )


def count_rows(queryset: QuerySet[Any], limit: int | None = None) -> tuple[int, bool]:
    """(COUNT(*), False), or with a `limit` (min(count, limit), whether there are more):
    counting stops after limit + 1 rows, so a huge filtered list costs no full scan."""
    if limit is None:
        return queryset.count(), False
    # Unordered: the database may count along whichever index fits the filters best.
    return _capped(queryset.order_by()[: limit + 1].count(), limit)


def _capped(total: int, limit: int) -> tuple[int, bool]:
    return min(total, limit), total > limit


def _among_few_ids(queryset: QuerySet[Any], more_than: int = 0) -> bool:
    """Whether a condition every row meets lists at most COUNTED_WITH_PAGE ids (InIds), and
    more than `more_than` (fewer fit one page, which is then its own count), in a query whose
    rows a window function counts as COUNT(*) would (no DISTINCT, grouping or slice)."""
    query = queryset.query
    if query.distinct or query.combinator or query.group_by is not None or query.is_sliced:
        return False
    return any(
        isinstance(child, InIds) and more_than < len(child.rhs) <= COUNTED_WITH_PAGE
        for child in _conjuncts(query.where)
    )


def _conjuncts(node: WhereNode) -> Any:
    """The conditions every row meets: those ANDed at the top, not under OR or NOT."""
    if node.connector != AND or node.negated:
        return
    for child in node.children:
        if isinstance(child, WhereNode):
            yield from _conjuncts(child)
        else:
            yield child


def keyset_page(
    queryset: QuerySet[Any],
    sort: str,
    size: int,
    after: str = "",
    before: str = "",
    count_limit: int | None = None,
    counted: QuerySet[Any] | None = None,
) -> KeysetPage:
    """Rows ordered by (sort, pk); cursors carry the last row's (value, pk). Sort fields of
    record types are non-null by declaration, so the comparison is total. `counted`: the
    same rows without what only the page needs (e.g. the joins of values() columns), for
    the COUNT (default: `queryset`). A `count_limit` below the page size counts a page's
    worth: a count never says "N+" with fewer than the rows shown."""
    if count_limit is not None:
        count_limit = max(count_limit, size)
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    direction = "-" if descending else ""
    order = [f"{direction}{field}", f"{direction}pk"] if field != "pk" else [f"{direction}pk"]
    cursor = _decode(before) if before else _decode(after) if after else None
    backwards = bool(before) and cursor is not None
    page_qs = queryset
    # A first page of rows among a short list of ids (a search's candidates) counts them in
    # the same scan (COUNT(*) OVER ()), where a COUNT query would test every candidate again.
    counted_with_page = cursor is None and _among_few_ids(queryset, more_than=size)
    if counted_with_page:
        page_qs = page_qs.annotate(keyset_total=Window(Count("pk")))
    if cursor is not None:
        page_qs = page_qs.filter(_after(field, descending, cursor[0], cursor[1], backwards))
    if backwards:
        flipped = [o[1:] if o.startswith("-") else f"-{o}" for o in order]
        rows = list(page_qs.order_by(*flipped)[: size + 1])
        more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_prev, has_next = more_before, True
    else:
        rows = list(page_qs.order_by(*order)[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        has_prev = cursor is not None
    if cursor is None and not has_next:
        # The first page holds every row: its length is the count (no COUNT query, which
        # for a search would test the same candidates again).
        total, capped = len(rows), False
    elif counted_with_page:
        in_window = _attr(rows[0], "keyset_total")
        total, capped = (
            (in_window, False) if count_limit is None else _capped(in_window, count_limit)
        )
    else:
        total, capped = count_rows(queryset if counted is None else counted, count_limit)

    def cursor_of(row: Model) -> str:
        pk = _attr(row, "pk")
        return _encode([pk if field == "pk" else _attr(row, field), pk])

    return KeysetPage(
        rows=rows,
        next_cursor=cursor_of(rows[-1]) if rows and has_next else None,
        prev_cursor=cursor_of(rows[0]) if rows and has_prev else None,
        total=total,
        sort=sort,
        size=size,
        total_capped=capped,
    )


def _attr(row: Any, lookup: str) -> Any:
    """The value of `lookup` in a row: a model instance, or a dict of values() (API pages)."""
    if isinstance(row, dict):
        return row[lookup]
    value = row
    for part in lookup.split("__"):
        value = getattr(value, part)
    if isinstance(value, Model):
        value = value.pk
    return value


def named_page(
    rows: QuerySet[Any], params: Any, name: str, sort: str, size: int = 50
) -> KeysetPage:
    """One of a page's several keyset-paged lists (generic/_pager.html): its cursors are the
    parameters `<name>_after` and `<name>_before`; its count stops at 1,000."""
    after, before = params.get(f"{name}_after", ""), params.get(f"{name}_before", "")
    return keyset_page(rows, sort, size, after, before, count_limit=1000)
