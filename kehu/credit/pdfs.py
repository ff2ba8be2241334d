"""The limit approval table (授信额度审批表) and the notification letter to the customer
(额度通知函) as PDFs, with the embedded CJK font of every Kehu form."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.credit.models import LimitRequest
from kehu.infra import pdf


def _person(user: Any) -> str:
    return (user.full_name or user.username) if user is not None else ""


def _yuan(value: Any) -> str:
    return f"{value:,.2f} 元"


def _date(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value.isoformat())


def approval_table(request: LimitRequest, *, printed_by: Any) -> bytes:
    account = request.account
    customer = account.customer
    doc = pdf.Document(
        title=_("Credit limit approval table"), author=_person(printed_by), subject=request.number
    )
    doc.key_values(
        [
            (_("number"), request.number),
            (_("customer"), customer.name),
            (_("Credit code / ID number"), customer.identifier()),
            (_("Account manager"), _person(customer.owner)),
            (_("department"), customer.unit.name),
            (_("kind"), request.get_kind_display()),
            (_("requested limit"), _yuan(request.limit_amount)),
            (_("payment terms (days)"), request.payment_days),
            (_("overdue amount allowed"), _yuan(request.overdue_allowed)),
            (
                _("temporary limit"),
                f"{_yuan(request.temporary_amount)} → {_date(request.temporary_until)}"
                if request.temporary_until
                else "",
            ),
            (_("reason"), request.reason),
            (_("requested by"), _person(request.requested_by)),
            (_("requested at"), _date(request.created_at)),
            (_("status"), request.get_status_display()),
        ]
    )
    doc.heading(_("Current credit position"))
    doc.key_values(
        [
            (_("credit limit"), _yuan(account.limit_amount)),
            (_("open receivables"), _yuan(account.open_receivables)),
            (_("open orders"), _yuan(account.open_orders)),
            (_("exposure"), _yuan(account.exposure)),
            (_("credit rating"), account.rating),
        ]
    )
    doc.heading(_("Approvals"))
    steps = (
        list(request.case.steps.select_related("completed_by").order_by("pk"))
        if request.case
        else []
    )
    done = [s for s in steps if s.completed_at]
    if done:
        doc.signature_lines(
            [
                (
                    s.label,
                    f"{_person(s.completed_by)} · {s.outcome_label}"
                    + (f" · {s.comment}" if s.comment else ""),
                    _date(s.completed_at),
                )
                for s in done
            ]
        )
    else:
        doc.paragraph(_("No step completed yet."))
    return doc.build()


def notification_letter(request: LimitRequest, *, printed_by: Any) -> bytes:
    """The letter telling the customer its approved limit and terms."""
    account = request.account
    customer = account.customer
    doc = pdf.Document(
        title=_("Credit limit notification letter"),
        author=_person(printed_by),
        subject=request.number,
    )
    doc.paragraph(_("To: %(name)s") % {"name": customer.name})
    doc.spacer()
    doc.paragraph(
        _(
            "We are pleased to inform you that the following credit terms have been approved "
            "for your company (reference %(number)s):"
        )
        % {"number": request.number}
    )
    doc.spacer(2)
    rows = [
        (_("credit limit"), _yuan(request.limit_amount)),
        (_("payment terms (days)"), request.payment_days),
        (_("overdue amount allowed"), _yuan(request.overdue_allowed)),
    ]
    if request.temporary_until:
        rows.append(
            (
                _("temporary limit"),
                f"{_yuan(request.temporary_amount)}（{_('valid until')} "
                f"{_date(request.temporary_until)}）",
            )
        )
    rows.append((_("effective from"), _date(request.updated_at)[:10]))
    doc.key_values(rows)
    doc.spacer()
    doc.paragraph(
        _(
            "Orders beyond the available credit, or while payments are overdue beyond the "
            "allowance, are held until settled. Please contact your account manager with any "
            "question."
        )
    )
    doc.spacer()
    doc.paragraph(_("Account manager: %(name)s") % {"name": _person(customer.owner)}, style="small")
    doc.paragraph(_date(timezone.localdate()))
    return doc.build()


def investigation_report(application: Any, *, printed_by: Any) -> bytes:
    """资信调查报告: the application, the standard sections in their order (the site visit
    and related parties with their forms' records), the rating and the recommendation."""
    from kehu.credit.applications import SECTIONS
    from kehu.credit.models import SiteVisit

    account = application.account
    customer = account.customer
    doc = pdf.Document(
        title=_("Credit investigation report"),
        author=_person(printed_by),
        subject=application.number,
    )
    doc.key_values(
        [
            (_("number"), application.number),
            (_("customer"), customer.name),
            (_("Credit code / ID number"), customer.identifier()),
            (_("Account manager"), _person(customer.owner)),
            (_("requested limit"), _yuan(application.requested_limit)),
            (_("payment terms (days)"), application.payment_days),
            (_("expected monthly volume"), _yuan(application.monthly_volume)),
            (_("guarantees"), application.guarantees),
            (_("reason"), application.reason),
            (_("requested by"), _person(application.requested_by)),
        ]
    )
    texts = dict(application.sections.values_list("key", "text"))
    visit = SiteVisit.objects.filter(application=application).first()
    parties = list(application.related_parties.select_related("customer"))
    for key, label in SECTIONS:
        doc.heading(label)
        if key == "site_visit" and visit is not None:
            doc.key_values(
                [
                    (_("visited on"), _date(visit.visited_on)),
                    (_("visited by"), visit.visitors),
                    (_("premises"), visit.premises),
                    (_("staff"), visit.staff),
                    (_("equipment"), visit.equipment),
                    (_("stock"), visit.stock),
                    (_("operations seen"), visit.operations),
                    (_("impression and conclusion"), visit.conclusion),
                    (_("photos"), visit.photos.count()),
                ]
            )
        if key == "related_parties" and parties:
            doc.table(
                [[_("relation"), _("name"), _("shareholding (%)"), _("note")]]
                + [_party_row(p) for p in parties],
                col_widths=[30, 70, 25, 45],
            )
        doc.paragraph(texts.get(key) or "—")
    doc.heading(_("Credit rating and recommendation"))
    doc.key_values(
        [
            (_("credit rating"), application.rating or "—"),
            (_("recommended limit"), _yuan(application.recommended_limit)),
            (_("recommendation"), application.recommendation or "—"),
            (_("status"), application.get_status_display()),
        ]
    )
    if application.signed_at:
        doc.signature_lines(
            [(_("signed"), _person(application.signed_by), _date(application.signed_at))]
        )
    return doc.build()


def _party_row(party: Any) -> list[Any]:
    name = party.party_name
    if party.customer_id:
        name = f"{name}（{_('our customer')}）"
    share = party.share if party.share is not None else ""
    return [party.get_relation_display(), name, share, party.note]


def _approvals(doc: pdf.Document, case: Any) -> None:
    steps = list(case.steps.select_related("completed_by").order_by("pk")) if case else []
    done = [s for s in steps if s.completed_at]
    doc.heading(_("Approvals"))
    if not done:
        doc.paragraph(_("No step completed yet."))
        return
    doc.signature_lines(
        [
            (s.label, f"{_person(s.completed_by)} · {s.outcome_label}", _date(s.completed_at))
            for s in done
        ]
    )


def application_form(application: Any, *, printed_by: Any) -> bytes:
    """信用申请表: what the account manager asked for (no investigation notes)."""
    customer = application.account.customer
    doc = pdf.Document(
        title=_("Credit application form"), author=_person(printed_by), subject=application.number
    )
    doc.key_values(
        [
            (_("number"), application.number),
            (_("customer"), customer.name),
            (_("Credit code / ID number"), customer.identifier()),
            (_("department"), customer.unit.name),
            (_("requested limit"), _yuan(application.requested_limit)),
            (_("payment terms (days)"), application.payment_days),
            (_("expected monthly volume"), _yuan(application.monthly_volume)),
            (_("guarantees"), application.guarantees),
            (_("reason"), application.reason),
            (_("status"), application.get_status_display()),
        ]
    )
    doc.signature_lines(
        [(_("requested by"), _person(application.requested_by), _date(application.created_at))]
    )
    return doc.build()


def site_visit_form(application: Any, visit: Any, *, printed_by: Any) -> bytes:
    """现场调查表: the site visit as recorded, with the number of photos kept."""
    customer = application.account.customer
    doc = pdf.Document(
        title=_("Site visit form"), author=_person(printed_by), subject=application.number
    )
    doc.key_values(
        [
            (_("customer"), customer.name),
            (_("Credit code / ID number"), customer.identifier()),
            (_("number"), application.number),
            (_("visited on"), _date(visit.visited_on)),
            (_("visited by"), visit.visitors),
            (_("premises"), visit.premises),
            (_("staff"), visit.staff),
            (_("equipment"), visit.equipment),
            (_("stock"), visit.stock),
            (_("operations seen"), visit.operations),
            (_("impression and conclusion"), visit.conclusion),
            (_("photos"), visit.photos.count()),
        ]
    )
    doc.signature_lines([(_("visited by"), visit.visitors, _date(visit.visited_on))])
    return doc.build()


def problem_report(report: Any, *, printed_by: Any) -> bytes:
    """收款异样报告表 or 问题帐款报告书 with the account's position and its approvals."""
    account = report.account
    customer = account.customer
    doc = pdf.Document(
        title=report.get_kind_display(), author=_person(printed_by), subject=report.number
    )
    doc.key_values(
        [
            (_("number"), report.number),
            (_("customer"), customer.name),
            (_("Account manager"), _person(customer.owner)),
            (_("amount concerned"), _yuan(report.amount)),
            (_("credit limit"), _yuan(account.limit_amount)),
            (_("exposure"), _yuan(account.exposure)),
            (_("description"), report.description),
            (_("proposed measures"), report.measures),
            (_("reported by"), _person(report.reported_by)),
            (_("status"), report.get_status_display()),
        ]
    )
    _approvals(doc, report.case)
    return doc.build()
