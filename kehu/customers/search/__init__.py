"""Customer search (CUS-15): name fragment, full pinyin, pinyin initials ("bjhx" finds
北京华夏…), credit code, phone and contact name — one lower-case `search_text` per customer,
maintained by the services, matched as a substring. Results always equal a plain substring
scan of that text.

Speed comes from an n-gram index (`grams`, `storage`): it yields the customers whose text has
every gram of the terms, and the substring filter then decides among those. A term
found in more than CANDIDATE_LIMIT customers skips the index: the list's sort index then
drives the query and the substring filter keeps (on average) every few rows, so a page fills
quickly, while collecting and sorting all candidates would not."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete
from pypinyin import lazy_pinyin

from kehu.core.normalize import halfwidth, phone_digits
from kehu.customers.models import Customer
from kehu.customers.search import storage
from kehu.customers.search.grams import query_grams

_PHONE_LIKE = re.compile(r"^\+?[\d\s\-()]{5,}$")
_SEPARATOR = "|"
# Above this many candidates a scan in list order wins (measured in bench/customers.py).
CANDIDATE_LIMIT = 5000


def pinyin_of(name: str) -> tuple[str, str]:
    """("beijinghuaxia…", "bjhx…"): full pinyin and initials, letters and digits kept as typed."""
    syllables = [s.lower() for s in lazy_pinyin(name) if s.strip()]
    # A syllable's initial is its first letter (pypinyin's FIRST_LETTER style is exactly
    # that), so one conversion serves both: half the cost of converting twice.
    initials = "".join(s[0] for s in syllables)
    return re.sub(r"\s+", "", "".join(syllables)), re.sub(r"\s+", "", initials)


def build_search_text(customer: Any, contacts: Iterable[Any] = ()) -> str:
    """Everything the search box finds a customer by, lower case, `|`-separated so a term
    never matches across two values."""
    full, initials = pinyin_of(customer.name)
    parts = [
        customer.name,
        full,
        initials,
        customer.credit_code or "",
        customer.org_code,
        phone_digits(customer.phone),
        customer.legal_rep_name,
        phone_digits(customer.legal_rep_phone),
    ]
    for contact in contacts:
        parts += [contact.name, phone_digits(contact.mobile), phone_digits(contact.office_phone)]
    return _SEPARATOR.join(halfwidth(p).lower() for p in parts if p)


def terms_of(text: str) -> list[str]:
    """Search terms: whitespace separates terms, except inside a phone number."""
    text = halfwidth(text).strip().lower()
    if not text:
        return []
    if _PHONE_LIKE.match(text):
        return [phone_digits(text)]
    return [t.replace(_SEPARATOR, "") for t in text.split() if t.replace(_SEPARATOR, "")]


def filter_text(queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
    """Customers whose search text contains every term."""
    terms = terms_of(text)
    if terms:
        ids = storage.candidates(query_grams(terms), CANDIDATE_LIMIT)
        if ids is not None:
            queryset = queryset.filter(pk__in=ids)
    for term in terms:
        queryset = queryset.filter(search_text__contains=term)
    return queryset


def index(customer: Customer) -> None:
    """Keep the n-gram index in step with the customer's (saved) search text."""
    if customer.pk:
        storage.write([(customer.pk, customer.search_text)])


def _forget_deleted(sender: Any, instance: Customer, **kwargs: Any) -> None:
    storage.forget([instance.pk])


post_delete.connect(_forget_deleted, sender=Customer, dispatch_uid="customers.search.forget")
