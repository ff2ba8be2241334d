"""The permission policy: what each demo role may do, and on which units' objects."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse, set_script_prefix

from kehu.core import policy, services
from kehu.core.context_processors import navigation
from kehu.core.models import OrgUnit, Role, UnitKind, User

# The demo data is loaded once per module (see conftest.py); each test rolls back.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

ALL_USERS = {
    "admin",
    "manager1",
    "manager2",
    "manager3",
    "manager4",
    "head_sale",
    "head_prod",
    "compliance",
    "credit",
    "archivist",
    "finance",
    "gm",
    "auditor",
}
# everyone whose primary unit is under BJ (manager4 is in Shanghai)
BJ_USERS = ALL_USERS - {"admin", "auditor", "manager4"}
SALE_USERS = {"manager1", "manager2", "head_sale"}

PERMS = [
    "core.orgunit.view",
    "core.orgunit.add",
    "core.orgunit.change",
    "core.orgunit.export",
    "core.user.view",
    "core.user.add",
    "core.user.change",
    "core.user.export",
    "core.securitypolicy.change",
    "audit.auditevent.view",
    "audit.auditevent.export",
]

# username → the permissions above that the user holds (anywhere).
EXPECTED = {
    "admin": set(PERMS),
    "auditor": {
        "core.orgunit.view",
        "core.orgunit.export",
        "core.user.view",
        "core.user.export",
        "audit.auditevent.view",
        "audit.auditevent.export",
    },
    "head_sale": {"core.orgunit.view", "core.user.view"},
    "gm": {"core.orgunit.view", "core.user.view"},
    "manager1": set(),
    "manager2": set(),
    "compliance": set(),
    "credit": set(),
    "archivist": set(),
    "finance": set(),
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_has_perm_per_role(demo: dict[str, User], username: str) -> None:
    user = demo[username]
    held = {perm for perm in PERMS if policy.has_perm(user, perm)}
    assert held == EXPECTED[username]


def visible_users(user: User) -> set[str]:
    return set(policy.scope(user, User.objects.all()).values_list("username", flat=True))


def visible_units(user: User) -> set[str]:
    return set(policy.scope(user, OrgUnit.objects.all()).values_list("code", flat=True))


@pytest.mark.parametrize(
    "username, users, units",
    [
        ("admin", ALL_USERS, None),
        ("auditor", ALL_USERS, None),
        ("gm", BJ_USERS, {"BJ", "SALE", "MKT", "SVC", "LEGAL", "FIN", "ARCH", "CREDIT", "PROD"}),
        ("head_sale", SALE_USERS, {"SALE"}),
        ("manager1", set(), set()),
        ("finance", set(), set()),
    ],
)
def test_scope_per_role(
    demo: dict[str, User], username: str, users: set[str], units: set[str] | None
) -> None:
    user = demo[username]
    assert visible_users(user) == users
    all_units = set(OrgUnit.objects.values_list("code", flat=True))
    assert visible_units(user) == (all_units if units is None else units)


def test_department_head_sees_only_the_subtree_of_sale(demo: dict[str, User]) -> None:
    sale = OrgUnit.objects.get(code="SALE")
    team = services.create_unit(
        {"name": "大客户组", "code": "SALE-KA", "kind": UnitKind.DEPARTMENT, "parent": sale}
    )
    member = services.create_user(
        {"username": "ka1", "full_name": "组员", "unit": team, "is_active": True}
    )
    outsider = demo["compliance"]  # LEGAL, a sibling of SALE
    head = User.objects.get(username="head_sale")  # fresh: no cached grants

    assert visible_users(head) == SALE_USERS | {"ka1"}
    assert visible_units(head) == {"SALE", "SALE-KA"}
    assert policy.has_perm(head, "core.user.view", member)
    assert policy.has_perm(head, "core.orgunit.view", team)
    assert not policy.has_perm(head, "core.user.view", outsider)
    assert not policy.has_perm(head, "core.orgunit.view", OrgUnit.objects.get(code="BJ"))
    assert not policy.has_perm(head, "core.user.change", member)


def test_a_role_in_a_unit_applies_to_its_descendants(demo: dict[str, User]) -> None:
    mkt = OrgUnit.objects.get(code="MKT")
    sub = services.create_unit(
        {"name": "品牌组", "code": "MKT-BR", "kind": UnitKind.DEPARTMENT, "parent": mkt}
    )
    subsub = services.create_unit(
        {"name": "线上", "code": "MKT-BR-ON", "kind": UnitKind.DEPARTMENT, "parent": sub}
    )
    deep = services.create_user(
        {"username": "deep", "full_name": "深层", "unit": subsub, "is_active": True}
    )
    finance = demo["finance"]
    services.grant_role(finance, Role.DEPARTMENT_HEAD, mkt)
    finance = User.objects.get(pk=finance.pk)
    assert policy.has_perm(finance, "core.user.view", deep)
    assert policy.has_perm(finance, "core.orgunit.view", subsub)
    assert visible_units(finance) == {"MKT", "MKT-BR", "MKT-BR-ON"}
    assert visible_users(finance) == {"deep", "manager3"}  # manager3 works in MKT
    assert not policy.has_perm(finance, "core.user.view", demo["manager1"])


def test_admin_at_the_group_root_sees_all(demo: dict[str, User]) -> None:
    other_group = services.create_unit({"name": "另一集团", "code": "OTHER", "kind": "group"})
    stranger = services.create_user(
        {"username": "stranger", "full_name": "外人", "unit": other_group, "is_active": True}
    )
    nobody_unit = services.create_user({"username": "floating", "full_name": "无部门"})
    admin = demo["admin"]
    assert policy.has_perm(admin, "core.user.change", stranger)
    assert policy.has_perm(admin, "core.user.change", nobody_unit)
    assert visible_users(admin) == ALL_USERS | {"stranger", "floating"}
    # A unit-bound role does not reach users without a unit.
    assert "floating" not in visible_users(User.objects.get(username="gm"))


def test_inactive_or_anonymous_users_hold_nothing(demo: dict[str, User]) -> None:
    from django.contrib.auth.models import AnonymousUser

    admin = demo["admin"]
    User.objects.filter(pk=admin.pk).update(is_active=False)
    admin = User.objects.get(pk=admin.pk)
    assert not policy.has_perm(admin, "core.user.view")
    assert not policy.scope(admin, User.objects.all()).exists()
    assert not policy.has_perm(AnonymousUser(), "core.user.view")


def test_revoking_the_role_removes_the_permission(demo: dict[str, User]) -> None:
    head = demo["head_sale"]
    assignment = head.role_assignments.get()
    services.revoke_role(assignment)
    head = User.objects.get(pk=head.pk)
    assert not policy.has_perm(head, "core.user.view")
    assert visible_users(head) == set()


def test_auditor_cannot_change(client_for: Callable[[str], Client], demo: dict[str, User]) -> None:
    auditor = demo["auditor"]
    for perm in ("core.orgunit.change", "core.orgunit.add", "core.user.change", "core.user.add"):
        assert not policy.has_perm(auditor, perm)
        assert not policy.has_perm(auditor, perm, demo["manager1"])
    client = client_for("auditor")
    target = demo["manager1"]
    sale = OrgUnit.objects.get(code="SALE")
    assert client.get(reverse("generic:users_list")).status_code == 200
    assert client.get(reverse("generic:users_detail", args=[target.pk])).status_code == 200
    forbidden = [
        ("get", reverse("generic:users_add")),
        ("get", reverse("generic:users_edit", args=[target.pk])),
        ("post", reverse("generic:users_edit", args=[target.pk])),
        ("get", reverse("generic:units_add")),
        ("post", reverse("generic:units_edit", args=[sale.pk])),
        ("post", reverse("core:unlock", args=[target.pk])),
        ("post", reverse("core:grant_role", args=[target.pk])),
        ("get", reverse("core:security_policy")),
    ]
    for method, url in forbidden:
        response = getattr(client, method)(url)
        assert response.status_code == 403, (method, url, response.status_code)


NAV = {
    "home": "/",
    "units": "/units/",
    "users": "/users/",
    "security": "/security-policy/",
    "audit": "/audit/",
    "api": "/api/v1/docs/",
    "customers": "/customers/",
    "contacts": "/contacts/",
    "changes": "/change-requests/",
    "classes": "/classification-dimensions/",
    "expiring": "/documents/expiring/",
    "doctypes": "/document-types/",
    "integrity": "/documents/integrity/",
    "tasks": "/tasks/",
    "due": "/ops/due/",
    "reminders": "/ops/reminders/",
    "jobs": "/jobs/",
    "cases": "/cases/",
    "grants": "/privacy/grants/",
    "retention": "/privacy/retention/",
    "outbox": "/ops/outbox/",
    "backups": "/backups/",
    "calendar": "/calendar-days/",
    "chains": "/approver-rules/",
    "filings": "/filings/",
    "checklist": "/filing-checklist/",
    "rules": "/risk-rules/",
    "watch": "/watch-list/",
    "watch_import": "/watch-list/import/",
    "dossiers": "/dossiers/",
    "register": "/archive-items/",
    "loans": "/archives/loans/",
    "transfers": "/archives/transfers/",
    "cabinets": "/cabinets/",
    "disposition": "/archives/disposition/",
    "destructions": "/archives/destructions/",
    "categories": "/archive-categories/",
    "archive_settings": "/archives/settings/",
    "my_tokens": "/tokens/",
    "all_tokens": "/tokens/all/",
    "limits": "/access-limits/",
    "grant_register": "/privacy/grant-register/",
    "disclosures": "/privacy/disclosures/",
    "tiers": "/privacy/tiers/",
    "reviews": "/reviews/",
    "review_settings": "/reviews/settings/",
    "interactions": "/interactions/",
    "complaints": "/complaints/",
    "surveys": "/surveys/",
    "corrective": "/corrective-actions/",
    "research": "/customer-research/",
    "visits": "/visit-plans/",
    "tickets": "/service-tickets/",
    "purchases": "/purchases/",
    "survey_templates": "/survey-templates/",
    "survey_reports": "/survey-reports/",
    "complaint_letters": "/complaint-reply-letters/",
    "robots": "/chat-robots/",
    "credit": "/credit/",
    "credit_import": "/credit/import/",
    "limit_bands": "/credit/limit-bands/",
    "rating_scale": "/credit/rating-scale/",
    "reply_letters": "/credit/reply-letters/",
    "contracts": "/contracts/",
    "projects": "/projects/",
    "contract_stats": "/contracts/statistics/",
    "contract_checklist": "/contract-checklist/",
    "contract_settings": "/contracts/settings/",
}
CUSTOMER_NAV = {"customers", "contacts", "changes", "expiring", "filings", "disclosures"}
CUSTOMER_NAV |= {"reviews"}
FILING_ADMIN = {"checklist", "rules", "watch", "watch_import"}
# Everybody has tasks and deadlines, may receive access grants and keeps their own API tokens.
WORK = {"tasks", "due", "reminders", "jobs", "cases", "grants", "my_tokens"}
ARCHIVE_READ = {"dossiers", "register"}
# The archivist does the archive functions and nothing else (SEC-1).
ARCHIVIST_NAV = ARCHIVE_READ | {"loans", "transfers", "cabinets", "disposition", "destructions"}
ARCHIVIST_NAV |= {"categories", "archive_settings"}
# Interactions: the business department, the general manager and the auditor.
INTERACTIONS_NAV = {"interactions", "complaints", "surveys", "corrective", "research", "visits"}
INTERACTIONS_NAV |= {"tickets", "purchases", "survey_templates", "survey_reports"}
INTERACTIONS_NAV |= {"complaint_letters"}
# The credit register and the contract ledger: whoever reads the customers of a department.
CREDIT_CONTRACTS = {"credit", "contracts", "projects"}


@pytest.mark.parametrize(
    "username, visible",
    [
        (
            "admin",
            {"home", "units", "users", "security", "audit", "api", "classes", "doctypes"}
            | {"retention", "outbox", "backups", "limits", "all_tokens", "tiers"}
            | {"integrity", "calendar", "chains", "review_settings"}
            | FILING_ADMIN
            | WORK
            | {"survey_templates", "complaint_letters", "robots", "limit_bands", "reply_letters"}
            | {"rating_scale"}
            | {"contract_checklist", "contract_settings"},
        ),
        (
            "auditor",
            {"home", "units", "users", "audit", "api", "grant_register"}
            | CUSTOMER_NAV
            | WORK
            | ARCHIVE_READ
            | INTERACTIONS_NAV
            | CREDIT_CONTRACTS
            | {"contract_stats"}
            | {"transfers", "cabinets", "destructions", "categories"},
        ),
        (
            "gm",
            {"home", "units", "users", "api"}
            | CUSTOMER_NAV
            | WORK
            | ARCHIVE_READ
            | INTERACTIONS_NAV
            | CREDIT_CONTRACTS
            | {"contract_stats"}
            | {"loans", "destructions"},
        ),
        (
            "head_sale",
            {"home", "units", "users", "api"}
            | CUSTOMER_NAV
            | WORK
            | ARCHIVE_READ
            | INTERACTIONS_NAV
            | CREDIT_CONTRACTS
            | {"loans", "transfers"},
        ),
        (
            "manager1",
            {"home", "api"} | CUSTOMER_NAV | WORK | INTERACTIONS_NAV | CREDIT_CONTRACTS | {"loans"},
        ),
        # The archivist receives contract dossiers from the ledger.
        ("archivist", {"home", "api"} | WORK | ARCHIVIST_NAV | {"contracts"}),
    ],
)
def test_navigation_shows_only_allowed_items(
    client_for: Callable[[str], Client], username: str, visible: set[str]
) -> None:
    response = client_for(username).get("/")
    assert response.status_code == 200
    sections = response.context["nav_sections"]
    urls = {item["url"] for section in sections for item in section["items"]}
    assert urls == {NAV[name] for name in visible}
    html = response.content.decode()
    for name, url in NAV.items():
        if name not in visible:
            assert f'href="{url}"' not in html, f"{username} sees a link to {url}"
    # Every link shown actually opens for this user.
    client = client_for(username)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_navigation_is_empty_when_signed_out(db: None) -> None:
    response = Client().get(reverse("accounts:login"))
    assert response.context["nav_sections"] == []


def test_navigation_links_follow_the_script_prefix(demo: dict[str, User]) -> None:
    """The menu's URLs are reversed once per process, but per prefix: Kehu served under a
    sub-path (SCRIPT_NAME) links there, and the root still links to the root."""
    request = RequestFactory().get("/")
    request.user = demo["manager1"]

    def menu() -> set[str]:
        sections = navigation(request)["nav_sections"]
        return {item["url"] for section in sections for item in section["items"]}

    assert "/customers/" in menu()
    set_script_prefix("/kehu/")
    try:
        assert "/kehu/customers/" in menu()
    finally:
        set_script_prefix("/")
    assert "/customers/" in menu()


def test_the_menu_is_rendered_once_per_items_language_and_active_item(
    client_for: Callable[[str], Client],
) -> None:
    from django.conf import settings

    from kehu.core.context_processors import _menu

    _menu.cache_clear()
    client = client_for("manager1")
    active = re.compile(r'nav-item active">\s*<a class="nav-link" href="([^"]+)"')

    def page(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    first = page("/customers/")
    assert active.findall(first) == ["/customers/"] and "客户一览表" in first
    menu = re.compile(r'<ul class="navbar-nav pt-lg-3" id="main-nav">.*?</ul>', re.S)
    assert menu.search(page("/customers/")).group(0) == menu.search(first).group(0)  # type: ignore[union-attr]
    assert (_menu.cache_info().misses, _menu.cache_info().hits) == (1, 1)
    home = page("/")
    assert active.findall(home) == ["/"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = page("/customers/")
    assert "Customer list" in english and "客户一览表" not in english
    assert active.findall(english) == ["/customers/"]
    assert _menu.cache_info().misses == 3
    # Another user's menu (other items) is its own.
    archivist = client_for("archivist").get("/").content.decode()
    assert 'href="/customers/"' not in archivist
    assert _menu.cache_info().misses == 4
