"""The filing form (客户备案表, IO-4) as a PDF: the customer's data, the checklist, the risk
triggers and report, each review's item checks, and every step's outcome, person and date."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core import mail, masking
from kehu.filing import checklist
from kehu.filing.models import Filing, Review
from kehu.infra import pdf


def _person(user: Any) -> str:
    return (user.full_name or user.username) if user is not None else ""


def _date(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _steps(filing: Filing) -> list[Any]:
    case = getattr(filing, "case", None)
    if case is None:
        return []
    return list(case.steps.select_related("completed_by").order_by("pk"))


def filing_form(filing: Filing, *, printed_by: Any) -> bytes:
    customer = filing.customer
    doc = pdf.Document(
        title=_("Customer filing form"), author=_person(printed_by), subject=filing.number
    )
    doc.key_values(
        [
            (_("filing number"), filing.number),
            (_("customer"), customer.name),
            (_("kind"), customer.get_kind_display()),
            (_("Credit code / ID number"), customer.identifier()),
            (_("legal representative"), customer.legal_rep_name),
            (
                _("signatory"),
                _("The legal representative")
                if filing.signatory_is_legal_rep
                else _("%(name)s (power of attorney)") % {"name": filing.signatory_name},
            ),
            (_("industry"), customer.get_industry_display()),
            (_("registered capital"), customer.registered_capital or ""),
            (_("registered address"), customer.registered_address),
            (_("operating address"), customer.operating_address),
            (_("phone"), masking.masked(customer, "phone")),
            (_("Account manager"), _person(customer.owner)),
            (_("department"), filing.unit.name),
            (_("opened"), _date(filing.created_at)),
            (_("stage"), filing.get_stage_display()),
        ]
    )
    doc.heading(_("Checklist"))
    doc.table(
        [[_("Item"), _("State"), _("Detail")]]
        + [
            [e.label, _("present") if e.present else _("missing"), e.detail or e.note]
            for e in checklist.evaluate(customer, filing=filing)
        ],
        col_widths=[70, 30, 70],
    )
    doc.heading(_("High-risk triggers"))
    if filing.risk_flags:
        doc.table(
            [[_("Rule"), _("Detail")]] + [[f["name"], f["detail"]] for f in filing.risk_flags],
            col_widths=[70, 100],
        )
    else:
        doc.paragraph(_("None."))
    report = getattr(filing, "risk_report", None)
    if report is not None:
        doc.heading(_("Risk assessment report"))
        doc.key_values(
            [
                (_("risk level"), report.get_risk_level_display()),
                (_("conclusion"), report.get_conclusion_display()),
                (_("findings"), report.findings),
                (_("measures and conditions"), report.measures),
                (_("author"), _person(report.author)),
            ]
        )
    for review in Review:
        checks = [c for c in filing.checks.all() if c.review == review]
        if checks:
            doc.heading(review.label)
            doc.table(
                [[_("Item"), _("Result"), _("Explanation")]]
                + [[c.label, c.get_result_display(), c.explanation] for c in checks],
                col_widths=[60, 30, 80],
            )
    steps = [s for s in _steps(filing) if s.completed_at]
    doc.heading(_("Reviews and approvals"))
    if steps:
        doc.signature_lines(
            [
                (
                    s.label,
                    f"{_person(s.completed_by)} · {s.outcome_label}"
                    + (f" · {s.comment}" if s.comment else ""),
                    _date(s.completed_at),
                )
                for s in steps
            ]
        )
    else:
        doc.paragraph(_("No step completed yet."))
    if filing.outcome_reason:
        doc.key_values([(_("reason"), filing.outcome_reason)])
    doc.spacer()
    doc.qr(mail.absolute(reverse("filing:detail", args=[filing.pk])), size_mm=20)
    return doc.build()
