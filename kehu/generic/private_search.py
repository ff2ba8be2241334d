"""Search texts kept out of URLs (full ID or phone numbers: `ListSpec.private_search`):
the list page's form posts its search, and such a text is kept in the session under a short
random id; the page's URL, its links and the browser's history carry `qref=<id>` instead."""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest, QueryDict

from kehu.generic.registry import RecordType

SESSION_KEY = "kehu_private_searches"
REF = "qref"
# The newest searches kept per session; an older id finds nothing any more.
KEPT = 20


def is_private(record_type: RecordType, text: str) -> bool:
    check = record_type.listing.private_search
    return bool(check is not None and text.strip() and check(text))


def for_links(request: HttpRequest, record_type: RecordType, params: QueryDict) -> QueryDict:
    """`params` as they may appear in a URL: a private search text replaced by its id."""
    text = params.get("q", "")
    if not is_private(record_type, text):
        return params
    kept: dict[str, str] = dict(request.session.get(SESSION_KEY, {}))
    ref = secrets.token_urlsafe(9)
    kept[ref] = text
    request.session[SESSION_KEY] = dict(list(kept.items())[-KEPT:])
    linked = params.copy()
    linked.pop("q", None)
    linked[REF] = ref
    return linked


def for_reading(request: HttpRequest, params: QueryDict) -> QueryDict:
    """`params` with a search id replaced by the text it stands for (an id this session
    does not know, e.g. after signing in again: no search)."""
    ref = params.get(REF)
    if not ref:
        return params
    kept: dict[str, Any] = request.session.get(SESSION_KEY, {})
    read = params.copy()
    read.pop(REF, None)
    read["q"] = kept.get(ref, "")
    return read
