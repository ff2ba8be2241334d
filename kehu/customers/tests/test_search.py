"""Customer search returns exactly what a plain substring scan of `search_text` returns —
for 1- to 4-character terms, Chinese, pinyin, initials, digits, rare and common, several
terms at once — through the n-gram index or without it, and still after renames, new
contacts, merges and deletions."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection

from kehu.audit.context import SYSTEM, acting_as
from kehu.core.models import User
from kehu.customers import demo as customer_demo
from kehu.customers import duplicates, search, services
from kehu.customers.models import Customer
from kehu.customers.search import storage
from kehu.customers.search.grams import query_grams

pytestmark = pytest.mark.django_db

FIXED_TERMS = [
    *("科技", "北京", "华", "京", "有限", "有限公司", "科技有限", "股份", "鑫", "贸易"),
    *("bjhx", "beijing", "bj", "b", "kj", "kjyx", "shanghai", "yxgs", "zzz", "q"),
    *("1", "13", "138", "010", "0755", "9111", "110105", "ma", "8", "91"),
    *("张", "王伟", "李", "北京 科技", "上海 贸易", "bj kj", "科技 138", "(", "华夏 hx"),
    *("  ", "|", "北京|科技", "ＢＪ", "138 1234 5678", "+86 138-0000-0000"),
]


@pytest.fixture
def customers(demo: dict[str, User]) -> list[Customer]:
    owner = demo["manager1"]
    created = []
    with acting_as(SYSTEM):
        for data in customer_demo.generate(200, seed=11):
            for key in ("dept", "account", "status"):
                data.pop(key, None)
            contacts = data.pop("contacts")
            customer = services.create_customer({**data, "owner": owner, "unit": owner.unit})
            for contact in contacts:
                services.create_contact({**contact, "customer": customer})
            created.append(customer)
    return created


@pytest.fixture(autouse=True)
def _many_number_searches(settings: Any) -> None:
    """These tests compare many full-number searches of one reader: no allowance stops them."""
    settings.KEHU_SENSITIVE_SEARCHES_PER_MINUTE = 10_000


def reader() -> User:
    """Whoever may reveal every number (the auditor): full numbers find their customers."""
    return User.objects.get(username="auditor")


def scanned(text: str) -> set[int]:
    """The plain substring scan, plus the customers holding exactly this (encrypted) ID
    number or phone, found by keyed digest."""
    terms = search.terms_of(text)
    exact = search.exact_matches(text, reader())
    by_digest = set(Customer.objects.filter(exact).values_list("pk", flat=True)) if exact else set()
    return by_digest | {
        pk
        for pk, search_text in Customer.objects.values_list("pk", "search_text")
        if all(term in search_text for term in terms)
    }


def found(text: str) -> set[int]:
    rows = search.filter_text(Customer.objects.all(), text, reader())
    return set(rows.values_list("pk", flat=True))


def sampled_terms(rng: random.Random, count: int = 120) -> list[str]:
    """Substrings of 1–4 characters of real search texts: names, pinyin, initials, credit
    codes, phones and contact names alike."""
    texts = list(Customer.objects.values_list("search_text", flat=True))
    terms: list[str] = []
    while len(terms) < count:
        value = rng.choice(rng.choice(texts).split("|"))
        length = rng.randint(1, 4)
        if len(value) >= length:
            start = rng.randrange(len(value) - length + 1)
            terms.append(value[start : start + length])
    return terms


def assert_same_as_scan(terms: list[str]) -> None:
    mismatches = {t: (found(t), scanned(t)) for t in terms if found(t) != scanned(t)}
    assert not mismatches, list(mismatches)[:10]


def test_search_equals_substring_scan(
    customers: list[Customer], monkeypatch: pytest.MonkeyPatch
) -> None:
    terms = FIXED_TERMS + sampled_terms(random.Random(5))
    terms += [f"{a} {b}" for a, b in zip(terms[40:80], terms[80:120], strict=True)]
    assert_same_as_scan(terms)
    # The terms span rare and common: some match one customer, some most of them.
    sizes = sorted(len(scanned(t)) for t in terms)
    assert sizes[0] == 0 and 1 in sizes and sizes[-1] > len(customers) // 2
    # The other query shape: common terms skip the index and scan in list order.
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 10)
    assert_same_as_scan(terms)
    check_found_by_every_kind_of_value(customers)


def check_found_by_every_kind_of_value(customers: list[Customer]) -> None:
    customer = next(c for c in customers if c.credit_code and c.contacts.exists())
    contact = customer.contacts.first()
    assert contact is not None
    full, initials = search.pinyin_of(customer.name)
    for text in (
        customer.name[2:4],
        full[:7],
        initials,
        customer.credit_code or "",
        (customer.credit_code or "")[-5:],
        contact.name,
        contact.mobile,  # encrypted: found by its full value only
    ):
        assert customer.pk in found(text), text
        assert found(text) == scanned(text), text


def test_changes_keep_search_exact(customers: list[Customer], demo: dict[str, User]) -> None:
    rng = random.Random(9)
    renamed, with_contact, survivor, absorbed = customers[1:5]
    old_fragment = renamed.name[2:4]
    with acting_as(SYSTEM):
        renamed = services.update_customer(
            renamed, {"name": "深圳鑫淼焱垚有限公司"}, renamed.version
        )
        services.create_contact(
            {"customer": with_contact, "name": "欧阳鑫", "mobile": "13955554444", "role": "user"}
        )
        # Two different credit codes are two legal persons: make the pair mergeable.
        Customer.objects.filter(pk=absorbed.pk).update(credit_code=None)
        absorbed.refresh_from_db()
        duplicates.merge(survivor, absorbed, "同一家公司", demo["manager1"])
    terms = ["鑫淼", "焱垚", "鑫", "szxm", "欧阳", "阳鑫", "5555", "13955554444", old_fragment]
    terms += [c.name for c in absorbed.contacts.all()] + [survivor.name[2:4]]
    assert_same_as_scan(terms + sampled_terms(rng, 60))
    assert found("鑫淼焱垚") == {renamed.pk}
    assert with_contact.pk in found("欧阳鑫")
    # A contact's mobile is not in the text (it is encrypted), but its full value finds it.
    assert "13955554444" not in Customer.objects.get(pk=with_contact.pk).search_text
    assert with_contact.pk in found("139 5555 4444")
    # The renamed customer is no longer indexed under its old name.
    if old_fragment not in renamed.search_text:
        assert renamed.pk not in (storage.candidates(query_grams([old_fragment]), 10**6) or [])

    gone = customers[5]
    gone.delete()
    assert gone.pk not in (storage.candidates(query_grams([gone.name[:2]]), 10**6) or [])
    assert_same_as_scan([gone.name[:2], gone.name[2:4]])
    check_rebuild_reproduces_the_index()


def check_rebuild_reproduces_the_index() -> None:
    terms = FIXED_TERMS[:20]
    before = {t: storage.candidates(query_grams(search.terms_of(t) or ["x"]), 10**6) for t in terms}
    assert storage.rebuild() == Customer.objects.count()
    after = {t: storage.candidates(query_grams(search.terms_of(t) or ["x"]), 10**6) for t in terms}
    assert {t: sorted(v or []) for t, v in before.items()} == {
        t: sorted(v or []) for t, v in after.items()
    }
    assert_same_as_scan(terms)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate: PostgreSQL")
def test_common_grams_skip_the_index_on_the_planners_estimate(
    customers: list[Customer], monkeypatch: pytest.MonkeyPatch
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {storage.TABLE}")
        common, rare = query_grams(["有限"]), query_grams([customers[0].name])
        assert storage._estimated_postgres(cursor, common) > len(customers) // 2
        assert storage._estimated_postgres(cursor, rare) < 20
    assert storage.candidates(common, 10) is None
    assert customers[0].pk in (storage.candidates(rare, 10) or [])
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 10)
    assert_same_as_scan([*FIXED_TERMS, customers[0].name, customers[1].name[:3]])


def test_the_candidates_are_one_parameter(customers: list[Customer]) -> None:
    """Hundreds of candidates cost one query parameter, not one each (core.lookups.InIds)."""
    many, few = "有限", customers[0].name
    assert len(storage.candidates(query_grams([many]), 5000) or []) > 100
    assert len(storage.candidates(query_grams([few]), 5000) or []) < 5

    def parameters(text: str) -> int:
        return len(search.filter_text(Customer.objects.all(), text).query.sql_with_params()[1])

    assert parameters(many) == parameters(few)
    assert found(many) == scanned(many)
    assert found("zzz-none") == scanned("zzz-none") == set()
