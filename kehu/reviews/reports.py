"""A campaign's closing report: per department the figures, what was corrected and what was
found stale, as Excel and as PDF (kehu.infra.pdf, embedded Chinese font)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kehu.infra import pdf
from kehu.reviews.models import ReviewCampaign, TaskStatus
from kehu.reviews.selectors import Progress, progress, visible_tasks


@dataclass(frozen=True)
class ReportLine:
    department: str
    customer: str
    owner: str
    status: str
    changes: str
    stale_items: str


def changes_text(changes: dict[str, Any]) -> str:
    return "; ".join(
        f"{field}: {pair[0] or '—'} → {pair[1] or '—'}" for field, pair in changes.items()
    )


def report_lines(user: Any, campaign: ReviewCampaign) -> list[ReportLine]:
    """The tasks that changed something or found something stale, and those left open."""
    tasks = (
        visible_tasks(user)
        .filter(campaign=campaign)
        .order_by("unit__name", "customer__name_pinyin", "pk")
    )
    lines = []
    for task in tasks:
        if task.status == TaskStatus.CONFIRMED and not task.stale_items:
            continue
        lines.append(
            ReportLine(
                department=task.unit.name,
                customer=task.customer.name,
                owner=str(task.owner),
                status=task.get_status_display(),
                changes=changes_text(task.changes),
                stale_items=task.stale_items,
            )
        )
    return lines


def _headers() -> list[str]:
    return [
        _("Department"),
        _("Reviewed"),
        _("Done"),
        _("Open"),
        _("Overdue"),
        _("Corrected"),
        _("Done %"),
    ]


def _figures(row: Progress, label: str) -> list[Any]:
    return [label, row.total, row.done, row.open, row.overdue, row.corrected, row.done_percent]


def _line_headers() -> list[str]:
    return [
        _("Department"),
        _("Customer"),
        _("Account manager"),
        _("Status"),
        _("What changed"),
        _("Stale items found"),
    ]


def _stamp(campaign: ReviewCampaign, exporter: Any) -> str:
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return _("%(title)s, deadline %(deadline)s; exported by %(user)s at %(time)s") % {
        "title": campaign.title,
        "deadline": campaign.deadline.isoformat(),
        "user": exporter,
        "time": now,
    }


def report_xlsx(user: Any, campaign: ReviewCampaign) -> bytes:
    units, total = progress(user, campaign)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(_("Progress"))[:31]
    sheet.append([_stamp(campaign, user)])
    sheet.append(_headers())
    for row in units:
        sheet.append(_figures(row, row.unit_name))
    sheet.append(_figures(total, _("Total")))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    details = workbook.create_sheet(str(_("Changes and stale items"))[:31])
    details.append(_line_headers())
    for cell in details[1]:
        cell.font = Font(bold=True)
    for line in report_lines(user, campaign):
        details.append(
            [
                line.department,
                line.customer,
                line.owner,
                line.status,
                line.changes,
                line.stale_items,
            ]
        )
    workbook.properties.creator = str(user)
    workbook.properties.title = campaign.title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_pdf(user: Any, campaign: ReviewCampaign) -> bytes:
    units, total = progress(user, campaign)
    document = pdf.Document(
        _("Closing report: %(title)s") % {"title": campaign.title},
        author=str(user),
        subject=str(_("Customer register review")),
    )
    document.key_values(
        [
            (_("Opened on"), campaign.opened_on.isoformat()),
            (_("Review deadline"), campaign.deadline.isoformat()),
            (_("Status"), campaign.get_status_display()),
            (
                _("Closed at"),
                timezone.localtime(campaign.closed_at).strftime("%Y-%m-%d %H:%M")
                if campaign.closed_at
                else "—",
            ),
        ]
    )
    document.heading(_("Progress per department"))
    document.table(
        [_headers(), *[_figures(row, row.unit_name) for row in units], _figures(total, _("Total"))],
        col_widths=[40, 20, 20, 20, 20, 25, 25],
    )
    lines = report_lines(user, campaign)
    for department in sorted({line.department for line in lines}):
        document.heading(department)
        document.table(
            [
                [
                    _("Customer"),
                    _("Account manager"),
                    _("Status"),
                    _("What changed"),
                    _("Stale items found"),
                ],
                *[
                    [line.customer, line.owner, line.status, line.changes, line.stale_items]
                    for line in lines
                    if line.department == department
                ],
            ],
            col_widths=[35, 22, 20, 55, 38],
        )
    if not lines:
        document.paragraph(_("Every customer was confirmed unchanged; nothing was found stale."))
    return document.build()
