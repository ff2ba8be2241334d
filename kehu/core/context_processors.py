"""Side navigation: only what the user's roles allow (asks the policy)."""

from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from kehu.core import policy
from kehu.core.models import Role
from kehu.core.selectors import request_facts
from kehu.generic import registry

type Item = tuple[Any, str, str, str]

# (label, icon, url name, permission needed; "" = any signed-in user), or the slug of a record
# type whose list the item opens, named and drawn as its `Nav` says.
NAVIGATION: list[tuple[Any, list[Item | str]]] = [
    (
        _("Workspace"),
        [
            (_("Home"), "home", "core:home", ""),
            (_("My tasks"), "checklist", "workflow:tasks", ""),
            (_("What is due"), "alarm", "ops:due", ""),
            (_("Reminder settings"), "bell-cog", "ops:reminder-settings", ""),
            (_("Background jobs"), "progress", "jobs:list", ""),
            (_("Cases"), "folders", "workflow:cases", ""),
            (_("Access grants"), "key", "privacy:grants", ""),
            (_("My API tokens"), "key", "tokens:mine", ""),
        ],
    ),
    (
        _("Customers"),
        [
            "customers",
            "contacts",
            (
                _("Change requests"),
                "git-pull-request",
                "customers:change_requests",
                "customers.changerequest.view",
            ),
            (
                _("Expiring documents"),
                "calendar-due",
                "documents:expiring",
                "documents.document.view",
            ),
            (_("Filings"), "file-check", "filing:list", "filing.filing.view"),
            (_("Data provisions"), "share", "privacy:disclosures", "privacy.disclosure.view"),
            (
                _("Register review"),
                "clipboard-check",
                "reviews:campaigns",
                "reviews.reviewcampaign.view",
            ),
        ],
    ),
    (
        _("Contracts"),
        [
            "contracts",
            "projects",
            "contract-checklist",
            (
                _("Semi-annual contract statistics"),
                "chart-bar",
                "contracts:statistics",
                "contracts.statisticsreport.view",
            ),
            (
                _("Contract settings"),
                "settings",
                "contracts:settings",
                "contracts.contractsettings.change",
            ),
        ],
    ),
    (
        _("Interactions"),
        [
            "interactions",
            "complaints",
            "surveys",
            "corrective-actions",
            "customer-research",
            "visit-plans",
            "service-tickets",
            "purchases",
            "survey-reports",
            "survey-templates",
            "complaint-reply-letters",
        ],
    ),
    (
        _("Archives"),
        [
            "dossiers",
            "archive-items",
            (_("Borrowing"), "book-upload", "archives:loans", "archives.loan.add"),
            (_("Transfers"), "truck-delivery", "archives:transfers", "archives.transfer.view"),
            "cabinets",
            (
                _("Due for disposition"),
                "calendar-x",
                "archives:disposition",
                "archives.destruction.add",
            ),
            (
                _("Destruction register"),
                "trash-x",
                "archives:destructions",
                "archives.destruction.view",
            ),
            "archive-categories",
            (
                _("Archive settings"),
                "settings",
                "archives:settings",
                "archives.archivesettings.change",
            ),
        ],
    ),
    (
        _("Credit"),
        [
            (_("Credit register"), "report-money", "credit:register", "credit.creditaccount.view"),
            (
                _("Import receivables"),
                "file-import",
                "credit:import",
                "credit.receivable.import",
            ),
        ],
    ),
    (
        _("Administration"),
        [
            "units",
            "users",
            "classification-dimensions",
            "document-types",
            (
                _("Document integrity"),
                "shield-check",
                "documents:integrity",
                "documents.documenttype.change",
            ),
            "calendar-days",
            "approver-rules",
            (
                _("Standard reply letters"),
                "mail",
                "credit:reply_templates",
                "credit.replytemplate.change",
            ),
            (
                _("Limit approval bands"),
                "stairs",
                "credit:limit_bands",
                "credit.limitband.change",
            ),
            (
                _("Credit rating scale"),
                "chart-bar",
                "credit:rating_scale",
                "credit.ratinggrade.change",
            ),
            "filing-checklist",
            "risk-rules",
            "watch-list",
            (
                _("Import watch list"),
                "file-import",
                "filing:watchlist_import",
                "filing.watchlistentry.add",
            ),
            (
                _("Personal data retention"),
                "user-minus",
                "privacy:retention",
                "privacy.retentionsettings.change",
            ),
            (
                _("Sensitivity tiers"),
                "lock-square",
                "privacy:tiers",
                "privacy.sensitivitytiers.change",
            ),
            (
                _("Review settings"),
                "calendar-repeat",
                "reviews:settings",
                "reviews.reviewsettings.change",
            ),
            (
                _("Security policy"),
                "shield-lock",
                "core:security_policy",
                "core.securitypolicy.change",
            ),
            (_("Outgoing e-mail"), "mail-forward", "ops:outbox", "ops.outbox.view"),
            (_("Backups"), "database-export", "backups:status", "backups.backup.view"),
            "chat-robots",
            (_("Access limits"), "clock-shield", "core:access_limits", "core.accesslimits.change"),
            (_("API tokens of all users"), "key", "tokens:all", "api.apitoken.view"),
        ],
    ),
    (
        _("Audit"),
        [
            (_("Audit trail"), "history", "audit:events", "audit.auditevent.view"),
            (
                _("Register of access grants"),
                "key",
                "privacy:grant_register",
                "core.accessgrant.view",
            ),
        ],
    ),
    (
        _("Developer"),
        [(_("API documentation"), "api", "api:docs", "")],
    ),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    sections = []
    path = request.path
    for title, items in _sections():
        visible = []
        for label, icon, url_name, perm in items:
            if perm and not policy.has_perm(user, perm):
                continue
            url = _url(url_name, get_script_prefix(), settings.ROOT_URLCONF)
            active = path == url if url == "/" else path.startswith(url)
            visible.append({"label": label, "icon": icon, "url": url, "active": active})
        if visible:
            sections.append({"title": title, "items": visible})
    role_labels = sorted({Role(g.role).label for g in policy.held_roles(user)})
    unread = request_facts(request).unread_notifications
    return {
        "nav_sections": sections,
        "nav_menu": _menu(_menu_key(sections)),
        "user_roles": role_labels,
        "unread_notifications": unread,
    }


@cache
def _sections() -> list[tuple[Any, list[Item]]]:
    """NAVIGATION with its record types' items spelled out (the registry is full by now)."""
    return [(title, [_item(entry) for entry in items]) for title, items in NAVIGATION]


def _item(entry: Item | str) -> Item:
    if not isinstance(entry, str):
        return entry
    record_type = registry.get(entry)
    nav = record_type.nav
    assert nav is not None, f"record type {entry!r} is in the menu but declares no Nav"
    permission = policy.perm_name(record_type.model, nav.permission)
    return nav.label, nav.icon, record_type.url_name("list"), permission


type MenuKey = tuple[tuple[str, tuple[tuple[str, str, str, bool], ...]], ...]


def _menu_key(sections: list[dict[str, Any]]) -> MenuKey:
    """What the menu's HTML depends on, in the active language."""
    return tuple(
        (
            str(section["title"]),
            tuple((str(i["label"]), i["icon"], i["url"], i["active"]) for i in section["items"]),
        )
        for section in sections
    )


@lru_cache(maxsize=512)
def _menu(key: MenuKey) -> str:
    """The side menu's HTML, rendered once per process for each set of visible items, active
    item and language: the menu is the same on most pages."""
    sections = [
        {"title": title, "items": [dict(zip(_ITEM, item, strict=True)) for item in items]}
        for title, items in key
    ]
    return render_to_string("core/_nav.html", {"nav_sections": sections})


_ITEM = ("label", "icon", "url", "active")


@cache
def _url(url_name: str, script_prefix: str, urlconf: str) -> str:
    """The menu's URLs, reversed once per process rather than on every page;
    `reverse` itself reads the prefix and URLconf the key names."""
    return reverse(url_name)
