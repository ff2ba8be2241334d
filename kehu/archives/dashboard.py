"""The archives' dashboard panel: dossiers without an archive number, loans by status and
those overdue, hand-overs past their date, for whoever keeps or reads the archive."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.archives.models import LoanStatus, TransferStatus
from kehu.archives.selectors import visible_dossiers, visible_loans, visible_transfers
from kehu.core import policy
from kehu.core.dashboard import Chart, Figure, Panel, figures

OPEN_LOANS = (LoanStatus.REQUESTED, LoanStatus.APPROVED, LoanStatus.ISSUED)


def overdue_loans(loans: Any) -> Any:
    return loans.filter(status=LoanStatus.ISSUED, due_date__lt=timezone.localdate())


def late_transfers(transfers: Any) -> Any:
    return transfers.filter(status=TransferStatus.PROPOSED, due_date__lt=timezone.localdate())


def build(user: Any) -> list[Chart]:
    loans_url = reverse("archives:loans")
    loans = visible_loans(user)
    by_status = (
        loans.filter(status__in=OPEN_LOANS).order_by().values_list("status").annotate(n=Count("pk"))
    )
    statuses = dict(LoanStatus.choices)
    counts = sorted(by_status, key=lambda r: list(statuses).index(r[0]))
    charts = [
        Chart(
            "loans",
            _("Loans under way"),
            figures(counts, statuses, lambda s: f"{loans_url}?{urlencode({'status': s})}"),
        )
    ]
    attention = [
        Figure(_("Loans overdue"), overdue_loans(loans).count(), f"{loans_url}?status=overdue")
    ]
    if policy.has_perm(user, "archives.dossier.change"):
        attention.insert(
            0,
            Figure(
                _("Dossiers without archive number"),
                visible_dossiers(user).filter(archive_number="").count(),
                reverse("generic:dossiers_list") + "?numbered=false",
            ),
        )
        attention.append(
            Figure(
                _("Hand-overs past their date"),
                late_transfers(visible_transfers(user)).count(),
                reverse("archives:transfers") + "?late=true",
            )
        )
    charts.append(Chart("archives-attention", _("Needs the archivist"), attention, kind="numbers"))
    return charts


PANEL = Panel(
    "archives",
    gettext_lazy("Archives"),
    lambda user: policy.has_perm(user, "archives.loan.view"),
    build,
    order=40,
)
