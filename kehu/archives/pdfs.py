"""Printable archive forms (ARC-3, ARC-4, ARC-7, IO-4) through kehu.infra.pdf: folder cover
label, location index of a cabinet, dossier catalogue, destruction register."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.archives import retention, selectors
from kehu.archives.models import Cabinet, Destruction, Dossier
from kehu.infra import pdf


def _name(user: Any) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "username", "")) if user else ""


def _day(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value).date()
    return value.isoformat()


def _filing_date(dossier: Dossier) -> Any:
    first = dossier.items.order_by("filed_at").values_list("filed_at", flat=True).first()
    return first or dossier.numbered_at


def folder_label(dossier: Dossier, url: str, by: Any) -> bytes:
    """档案袋封面: customer name, archive number, filing date, custodian, and a QR code of
    the dossier's address."""
    doc = pdf.Document(title=_("Folder label"), author=_name(by), subject=dossier.archive_number)
    doc.heading(dossier.customer.name)
    doc.key_values(
        [
            (_("archive number"), dossier.archive_number),
            (_("filing date"), _day(_filing_date(dossier))),
            (_("custodian"), _name(dossier.custodian)),
            (_("Location"), dossier.location),
            (_("confidentiality"), dossier.get_confidentiality_display()),
        ]
    )
    doc.qr(url, size_mm=30)
    return doc.build()


def cabinet_index(cabinet: Cabinet, user: Any) -> bytes:
    """柜门档案索引表: customer name, archive number, location of every folder."""
    doc = pdf.Document(title=_("Location index"), author=_name(user), subject=cabinet.code)
    doc.heading(f"{_('Location index')} · {cabinet.code} {cabinet.name}")
    doc.paragraph(f"{_('room')}: {cabinet.room}")
    rows = [[_("shelf"), _("position"), _("archive number"), _("Customer")]]
    for dossier in selectors.cabinet_index(user, cabinet):
        rows.append(
            [
                str(dossier.shelf or ""),
                dossier.position,
                dossier.archive_number,
                dossier.customer.name,
            ]
        )
    doc.table(rows)
    return doc.build()


def dossier_catalogue(dossier: Dossier, user: Any) -> bytes:
    """卷内目录: the items of the dossier in folder order with their reference codes."""
    doc = pdf.Document(
        title=_("Archive catalogue"), author=_name(user), subject=dossier.archive_number
    )
    doc.heading(f"{dossier.archive_number} {dossier.title}")
    rows = [[_("reference code"), _("category"), _("title"), _("pages"), _("filed at")]]
    for item in selectors.items_in_order(dossier):
        rows.append(
            [
                item.reference_code,
                item.category.name,
                item.title,
                str(item.pages or ""),
                _day(item.filed_at),
            ]
        )
    doc.table(rows)
    return doc.build()


def destruction_register(destruction: Destruction, user: Any) -> bytes:
    """销毁清册: items, reason, method, approver, executor, witnesses, date."""
    doc = pdf.Document(
        title=_("Destruction register"), author=_name(user), subject=destruction.number
    )
    doc.heading(f"{_('Destruction register')} {destruction.number}")
    doc.key_values(
        [
            (_("reason"), destruction.reason),
            (_("method"), destruction.get_method_display()),
            (_("status"), destruction.get_status_display()),
            (_("approved by"), _name(destruction.approved_by)),
            (_("approved at"), _day(destruction.approved_at)),
        ]
    )
    rows = [[_("reference code"), _("archive number"), _("Customer"), _("title"), _("due")]]
    for item in destruction.items.select_related("dossier__customer").order_by("reference_code"):
        rows.append(
            [
                item.reference_code,
                item.dossier.archive_number,
                item.dossier.customer.name,
                item.title,
                _day(retention.due_date(item)),
            ]
        )
    doc.table(rows)
    lines = [(_("executed by"), _name(destruction.executor), _day(destruction.executed_on))]
    lines += [
        (_("witness"), _name(w), _day(destruction.executed_on)) for w in destruction.witnesses.all()
    ]
    doc.signature_lines(lines)
    return doc.build()


def register_list(
    title: str, rows: list[list[str]], user: Any, widths: list[float] | None = None
) -> bytes:
    """A printed list (filing register 归档登记表, archive catalogue 档案目录): the rows of the
    page's filters, with the printer's name and time in the footer."""
    doc = pdf.Document(title=title, author=_name(user))
    doc.heading(title)
    printed = {"name": _name(user), "time": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    doc.paragraph(_("Printed by %(name)s · %(time)s") % printed)
    doc.table(rows, col_widths=widths)
    return doc.build()


def filing_register_rows(items: Any) -> list[list[str]]:
    rows = [
        [
            _("reference code"),
            _("archive number"),
            _("Customer"),
            _("category"),
            _("title"),
            _("pages"),
            _("filed at"),
            _("filed by"),
        ]
    ]
    for item in items:
        rows.append(
            [
                item.reference_code,
                item.dossier.archive_number,
                item.dossier.customer.name,
                item.category.name,
                item.title,
                str(item.pages or ""),
                _day(item.filed_at),
                _name(item.filed_by),
            ]
        )
    return rows


def catalogue_rows(dossiers: Any) -> list[list[str]]:
    rows = [
        [
            _("archive number"),
            _("dossier title"),
            _("Department"),
            _("category"),
            _("kept at"),
            _("Location"),
        ]
    ]
    for dossier in dossiers:
        rows.append(
            [
                dossier.archive_number,
                dossier.title,
                dossier.customer.unit.name,
                dossier.category.name,
                dossier.get_stage_display(),
                dossier.location,
            ]
        )
    return rows


REGISTER_WIDTHS = [42.0, 22, 26, 18, 24, 10, 16, 12]
CATALOGUE_WIDTHS = [26.0, 50, 24, 26, 20, 24]


def borrowing_slip(loan: Any, user: Any) -> bytes:
    """借阅单: borrower, customer, archive number, purpose, approval, borrow time, due date,
    return check, with lines to sign."""
    number = loan.case.number if loan.case_id else str(loan.pk)
    doc = pdf.Document(title=_("Borrowing slip"), author=_name(user), subject=number)
    doc.heading(f"{_('Borrowing slip')} {number}")
    doc.key_values(
        [
            (_("archive number"), loan.dossier.archive_number),
            (_("Customer"), loan.dossier.customer.name),
            (
                _("borrower"),
                f"{_name(loan.borrower)} · {loan.borrower.unit.name if loan.borrower.unit else ''}",
            ),
            (_("kind"), loan.get_kind_display()),
            (_("purpose"), loan.purpose),
            (_("status"), loan.get_status_display()),
            (_("issued at"), _day(loan.issued_at)),
            (_("due date"), _day(loan.due_date)),
            (_("returned at"), _day(loan.returned_at)),
        ]
    )
    doc.signature_lines(
        [
            (_("approved by"), _name(loan.approved_by), _day(loan.approved_at)),
            (_("issued by"), _name(loan.issued_by), _day(loan.issued_at)),
            (_("borrower"), _name(loan.borrower), ""),
            (_("return checked by"), _name(loan.returned_checked_by), _day(loan.returned_at)),
        ]
    )
    return doc.build()
