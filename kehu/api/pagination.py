"""Keyset pages for the API, using the same cursor logic as the list pages."""

from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from kehu.generic.listing import keyset_page


class KeysetPagination(BasePagination):
    page_size = 50
    max_page_size = 500

    def paginate_queryset(  # type: ignore[override]
        self,
        queryset: QuerySet[Any],
        request: Request,
        view: Any = None,
        rows: QuerySet[Any] | None = None,
    ) -> list[Any]:
        """The page of `queryset`, read as `rows` when given (the same rows, e.g. as the
        values the list serializer builds from; `queryset` is then only counted)."""
        try:
            size = min(int(request.query_params.get("size", self.page_size)), self.max_page_size)
        except ValueError:
            size = self.page_size
        sort = getattr(view, "sort_key", lambda r: "pk")(request)
        record_type = getattr(view, "record_type", None)
        self.page = keyset_page(
            queryset if rows is None else rows,
            sort,
            max(size, 1),
            request.query_params.get("after", ""),
            request.query_params.get("before", ""),
            count_limit=(
                record_type.count_limit_for(request.query_params.get("q", ""))
                if record_type is not None
                else None
            ),
            counted=queryset,
        )
        self.request = request
        return self.page.rows

    def _link(self, key: str, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        url = remove_query_param(remove_query_param(url, "after"), "before")
        return replace_query_param(url, key, cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.page.total,
                **({"count_capped": True} if self.page.total_capped else {}),
                "next": self._link("after", self.page.next_cursor),
                "previous": self._link("before", self.page.prev_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer"},
                "count_capped": {
                    "type": "boolean",
                    "description": "Present when there are more rows than count.",
                },
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }
