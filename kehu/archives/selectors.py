"""Reads of the archives shared by pages, API, PDFs and jobs; always through the policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.archives import retention
from kehu.archives.forms import CabinetCheckForm
from kehu.archives.models import (
    ArchiveCategory,
    ArchivingReview,
    Cabinet,
    Destruction,
    Dossier,
    DossierItem,
    Loan,
    LoanKind,
    LoanStatus,
    Transfer,
)
from kehu.archives.services import next_check_due
from kehu.core import policy
from kehu.customers.card import CardPanel
from kehu.customers.models import Customer
from kehu.workflow.models import Case
from kehu.workflow.selectors import involving


def dossier_rows() -> QuerySet[Dossier]:
    """Dossiers with their customer (and its unit), category, cabinet and custodian."""
    return Dossier.objects.select_related(
        "customer", "customer__unit", "category", "cabinet", "custodian"
    )


def visible_dossiers(user: Any, action: str = "view") -> QuerySet[Dossier]:
    return policy.scope(user, dossier_rows(), action)


def items_in_order(dossier: Dossier) -> list[DossierItem]:
    """The dossier's items in the prescribed order of the folder: by category (basic →
    business → supporting), then as filed (ARC-2)."""
    return list(
        dossier.items.select_related("category", "filed_by", "document__doc_type").order_by(
            "category__order", "category__code", "filed_at", "pk"
        )
    )


def grouped_items(dossier: Dossier) -> list[dict[str, Any]]:
    items = items_in_order(dossier)
    groups = []
    for category in ArchiveCategory.objects.order_by("order", "code"):
        mine = [i for i in items if i.category_id == category.pk]
        if mine or category.is_active:
            groups.append({"category": category, "items": mine})
    return groups


def dossier_context(request: Any, dossier: Dossier) -> dict[str, Any]:
    user = request.user
    return {
        "groups": grouped_items(dossier),
        "holds": list(dossier.holds.select_related("placed_by", "lifted_by")),
        "can_file": policy.has_perm(user, "archives.dossieritem.add", dossier)
        and dossier.destroyed_at is None,
        "can_hold": policy.has_perm(user, "archives.hold.add", dossier),
        "reviews": dossier_reviews(dossier),
        "can_review": policy.has_perm(user, "archives.archivingreview.add", dossier)
        and dossier.destroyed_at is None,
        "can_borrow": bool(dossier.archive_number)
        and policy.has_perm(user, "archives.loan.add")
        and dossier.destroyed_at is None,
        "customer_url": reverse("generic:customers_detail", args=[dossier.customer_id])
        if policy.has_perm(user, "customers.customer.view", dossier.customer)
        else "",
    }


def dossier_reviews(dossier: Dossier) -> list[ArchivingReview]:
    """The dossier's checks before filing, newest first (the first decides filing)."""
    return list(
        dossier.reviews.select_related("reviewed_by")
        .annotate(filed=Count("items"))
        .order_by("-reviewed_at", "-pk")
    )


def cabinet_context(request: Any, cabinet: Cabinet) -> dict[str, Any]:
    return {
        "checks": list(cabinet.checks.select_related("checked_by")[:24]),
        "check_due": next_check_due(cabinet),
        "can_check": policy.has_perm(request.user, "archives.cabinet.change", cabinet),
        "check_form": CabinetCheckForm(),
        "care_items": [
            ("damp_ok", _("dry, no damp"), "damp_note", _("damp care note")),
            ("disinfected", _("disinfected"), "disinfection_note", _("disinfection note")),
            ("dust_ok", _("free of dust"), "dust_note", _("dust care note")),
        ],
        "cabinet_dossiers": cabinet_index(request.user, cabinet),
    }


def cabinet_index(user: Any, cabinet: Cabinet) -> list[Dossier]:
    """The location index of a cabinet (ARC-3): its folders by shelf and position."""
    return list(visible_dossiers(user).filter(cabinet=cabinet).order_by("shelf", "position", "pk"))


def card_panel(request: Any, customer: Customer) -> CardPanel:
    return CardPanel(card_context(request.user, customer))


def card_context(user: Any, customer: Customer) -> dict[str, Any]:
    """The archive panel of the customer card: number, reference and location. Shown to
    whoever sees the customer."""
    try:
        dossier = customer.dossier  # joined by the card's queryset with its cabinet
    except Dossier.DoesNotExist:
        dossier = None
    borrow = borrow_link(user)
    return {
        "archive_dossier": dossier,
        "archive_dossier_url": reverse("generic:dossiers_detail", args=[dossier.pk])
        if dossier is not None and policy.has_perm(user, "archives.dossier.view", dossier)
        else "",
        "archive_borrow": borrow(dossier) if borrow is not None and dossier is not None else None,
    }


def borrow_link(user: Any) -> Callable[[Dossier], tuple[str, str] | None] | None:
    """The "Borrow" button of a dossier (the card's archive panel, the catalogue's rows):
    the loan request form with its archive number filled in. None when `user` may not
    request loans; for a dossier not numbered yet or destroyed, None."""
    if not policy.has_perm(user, "archives.loan.add"):
        return None
    url = reverse("archives:loan_request")

    def link(dossier: Dossier) -> tuple[str, str] | None:
        if not dossier.archive_number or dossier.destroyed_at is not None:
            return None
        return str(_("Borrow")), f"{url}?{urlencode({'number': dossier.archive_number})}"

    return link


def home_stats(user: Any) -> list[tuple[Any, int, str]]:
    if not policy.has_perm(user, "archives.dossier.change"):
        return []
    today = timezone.localdate()
    due = [c for c in Cabinet.objects.filter(is_active=True) if next_check_due(c) <= today]
    return [
        (
            gettext_lazy("Dossiers without archive number"),
            visible_dossiers(user).filter(archive_number="").count(),
            reverse("generic:dossiers_list") + "?numbered=false",
        ),
        (gettext_lazy("Cabinet checks due"), len(due), reverse("generic:cabinets_list")),
    ]


def visible_destructions(user: Any) -> QuerySet[Destruction]:
    """The register entries of the dossiers the user may see, for whoever may view the
    register (archivists, the general manager, auditors): an entry names its department's
    items and customers, so another unit's entries stay out of sight (SEC-2)."""
    if not policy.has_perm(user, "archives.destruction.view"):
        return Destruction.objects.none()
    # One destruction covers one department's items: any of its items places it.
    mine = Destruction.objects.filter(items__dossier__in=visible_dossiers(user)).values("pk")
    return Destruction.objects.filter(pk__in=mine).select_related(
        "proposed_by", "approved_by", "executor"
    )


def destruction_items(entry: Destruction) -> list[dict[str, Any]]:
    items = entry.items.select_related("dossier__customer", "category").order_by("reference_code")
    tombstones = {t.item_id: t for t in entry.tombstones.all()}
    return [
        {"item": i, "due": retention.due_date(i), "tombstone": tombstones.get(i.pk)} for i in items
    ]


def destruction_case(entry: Destruction) -> dict[str, Any]:
    """The workflow case in which the manager approves the destruction."""
    return {"case": Case.objects.filter(pk=entry.case_id).first() if entry.case_id else None}


def visible_loans(user: Any) -> QuerySet[Loan]:
    """Loans of the user's units' dossiers (archivists, department heads, the general manager),
    the user's own, and those whose approval is (or was) the user's (finance, where a unit's
    approval chain names it: the case links the loan)."""
    rows = Loan.objects.select_related("dossier__customer__unit", "borrower", "case")
    own = rows.filter(Q(borrower_id=user.pk) | Q(case__steps__in=involving(user)))
    return (policy.scope(user, rows) | own).distinct()


def loan_context(user: Any, loan: Loan) -> dict[str, Any]:
    is_borrower = loan.borrower_id == user.pk
    issued = loan.status == LoanStatus.ISSUED
    grant = loan.grant
    viewing = bool(grant and grant.revoked_at is None and grant.until > timezone.now())
    return {
        "is_borrower": is_borrower,
        "can_renew": is_borrower and issued and loan.kind == LoanKind.PHYSICAL,
        "can_report": issued
        and (is_borrower or policy.has_perm(user, "archives.loan.change", loan)),
        "viewing_open": viewing,
        "view_url": reverse("generic:dossiers_detail", args=[loan.dossier_id]) if viewing else "",
        "customer_view_url": reverse("generic:customers_detail", args=[loan.dossier.customer_id])
        if viewing
        else "",
    }


def visible_transfers(user: Any) -> QuerySet[Transfer]:
    """Open hand-overs first, then the record of past ones."""
    rows = Transfer.objects.select_related("dossier__customer__unit", "received_by")
    return policy.scope(user, rows).order_by("-status", "due_date", "-pk")
