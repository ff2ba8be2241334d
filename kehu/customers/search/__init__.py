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

import contextlib
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import masking, policy
from kehu.core.digest import lookup_digest
from kehu.customers.models import Contact, Customer, CustomerKind
from kehu.customers.search import storage
from kehu.customers.search.grams import query_grams
from kehu.customers.search.pinyin import lazy_pinyin
from kehu.infra import ratelimit
from kehu.infra.normalize import halfwidth, normalize_phone, phone_digits

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


def build_search_text(
    customer: Any, contacts: Iterable[Any] = (), pinyin: tuple[str, str] | None = None
) -> str:
    """Everything the search box finds a customer by, lower case, `|`-separated so a term
    never matches across two values. Personal phones (an individual's phone, the legal
    representative's, contacts' mobiles) and ID numbers are encrypted and stay out of the
    text and its index (SEC-3): they are found by their full value through the keyed
    digests (`exact_matches`)."""
    full, initials = pinyin or pinyin_of(customer.name)
    personal_phone = customer.kind == CustomerKind.INDIVIDUAL
    parts = [
        customer.name,
        full,
        initials,
        customer.credit_code or "",
        customer.org_code,
        "" if personal_phone else phone_digits(customer.phone),
        customer.legal_rep_name,
    ]
    for contact in contacts:
        parts += [contact.name, phone_digits(contact.office_phone)]
    return _SEPARATOR.join(halfwidth(p).lower() for p in parts if p)


def exact_values(text: str) -> list[tuple[str, str]]:
    """The full sensitive values `text` is, as (digest kind, normalised value): an ID
    number ("id_number") and/or a phone ("phone"); [] for anything else."""
    from kehu.customers.identifiers import clean_id_number

    text = halfwidth(text).strip()
    values = []
    with contextlib.suppress(ValidationError):
        values.append(("id_number", clean_id_number(text)))
    if _PHONE_LIKE.match(text):
        try:
            phone = normalize_phone(text)
        except ValidationError:
            phone = ""
        if phone:
            values.append(("phone", phone))
    return values


def is_exact_value(text: str) -> bool:
    """Whether `text` is a full ID number or phone: such a search stays out of URLs."""
    return bool(exact_values(text))


def exact_matches(text: str, user: Any = None) -> Q | None:
    """Customers holding exactly this full ID number or phone (the customer's phone or a
    contact's mobile), by keyed digest, among those whose value `user` may reveal; None when
    the text is neither or the user may reveal none (the search then matches nothing by
    these values: a masked number cannot be found by trying every hidden digit). Each such
    search by a revealer is audited and counted against a per-minute allowance
    (`RateLimited` beyond it)."""
    values = exact_values(text)
    if not values or user is None:
        return None
    by_customer = policy.has_perm(user, "customers.customer.reveal")
    by_contact = policy.has_perm(user, "customers.contact.reveal")
    if not (by_customer or by_contact):
        return None
    _admit_and_record(user, values)
    customers = policy.scope(user, Customer.objects.all(), "reveal").values("pk")
    condition = Q()
    # A CORE value (an ID number by default) is found only by who may reveal CORE values.
    core = masking.may_see_core(user)
    by_id = by_customer and (
        core or masking.tier_of("customers.customer", "id_number") != masking.CORE
    )
    for kind, value in values:
        digest = lookup_digest(kind, value)
        if kind == "id_number" and by_id:
            condition |= (Q(id_number_digest=digest) | Q(legal_rep_digest=digest)) & Q(
                pk__in=customers
            )
        if kind == "phone" and by_customer:
            condition |= (Q(phone_digest=digest) | Q(legal_rep_phone_digest=digest)) & Q(
                pk__in=customers
            )
        if kind == "phone" and by_contact:
            contacts = policy.scope(user, Contact.objects.filter(mobile_digest=digest), "reveal")
            condition |= Q(pk__in=contacts.values("customer_id"))
    return condition or None


def contact_exact_matches(text: str, user: Any = None) -> Q | None:
    """Contacts whose mobile is exactly this full phone number, by keyed digest, among
    those whose mobile `user` may reveal; None when the text is no phone or the user may
    reveal no mobile. Audited and counted as `exact_matches` is."""
    phones = [(kind, value) for kind, value in exact_values(text) if kind == "phone"]
    if not phones or user is None or not policy.has_perm(user, "customers.contact.reveal"):
        return None
    _admit_and_record(user, phones, "customers.contact")
    revealable = policy.scope(user, Contact.objects.all(), "reveal").values("pk")
    digests = [lookup_digest(kind, value) for kind, value in phones]
    return Q(mobile_digest__in=digests) & Q(pk__in=revealable)


def admit_sensitive_lookup(user: Any, message: str) -> None:
    """Count one lookup by a full sensitive value (a search, or a value found already
    registered) against the user's per-minute allowance; `RateLimited(message)` beyond it."""
    ratelimit.admit(
        f"kehu:sensitive-search:{user.pk}",
        settings.KEHU_SENSITIVE_SEARCHES_PER_MINUTE,
        60,
        message,
    )


def _admit_and_record(
    user: Any, values: list[tuple[str, str]], object_type: str = "customers.customer"
) -> None:
    """Count the search against the user's allowance and audit it (the value masked)."""
    admit_sensitive_lookup(
        user,
        _(
            "You have searched for too many full ID or phone numbers in a minute. "
            "Wait a minute and search again."
        ),
    )
    masks = {"id_number": masking.ID_NUMBER, "phone": masking.PHONE}
    record(
        "customers.customer.sensitive_search",
        object_type=object_type,
        extra={
            "kinds": [kind for kind, _value in values],
            "value": masking.mask(masks[values[0][0]], values[0][1]),
        },
    )


def terms_of(text: str) -> list[str]:
    """Search terms: whitespace separates terms, except inside a phone number."""
    text = halfwidth(text).strip().lower()
    if not text:
        return []
    if _PHONE_LIKE.match(text):
        return [phone_digits(text)]
    return [t.replace(_SEPARATOR, "") for t in text.split() if t.replace(_SEPARATOR, "")]


def filter_text(queryset: QuerySet[Any], text: str, user: Any = None) -> QuerySet[Any]:
    """Customers whose search text contains every term, or (for a full ID number or phone)
    whose encrypted identifiers equal it, where `user` may reveal them (`exact_matches`)."""
    terms = terms_of(text)
    matching = queryset
    if terms:
        ids = storage.candidates(query_grams(terms), CANDIDATE_LIMIT)
        if ids is not None:
            matching = matching.filter(pk__in_ids=frozenset(ids))  # core.lookups.InIds
    for term in terms:
        matching = matching.filter(search_text__contains=term)
    exact = exact_matches(text, user)
    if exact is None:
        return matching
    return queryset.filter(Q(pk__in=matching.values("pk")) | exact)


def index(customer: Customer) -> None:
    """Keep the n-gram index in step with the customer's (saved) search text."""
    if customer.pk:
        storage.write([(customer.pk, customer.search_text)])


def _forget_deleted(sender: Any, instance: Customer, **kwargs: Any) -> None:
    storage.forget([instance.pk])


post_delete.connect(_forget_deleted, sender=Customer, dispatch_uid="customers.search.forget")
