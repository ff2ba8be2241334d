"""The reply letter to a complaining customer (回复客户的标准函) as a PDF, from the standard
letter: the complaint, the approved result, the company's apology and its contact; and a
survey's questionnaire on paper."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.infra import pdf
from kehu.interactions.models import SCALE_RANGE, Complaint, Scale, Survey


def standard_reply(complaint: Complaint) -> str:
    """The standard letter's text for this complaint: what the reply step starts from."""
    return _(
        "Dear %(customer)s,\n\nWe received your complaint of %(received)s about %(category)s. "
        "We have looked into it carefully; the handling, approved by our general manager, is "
        "as follows:\n\n%(result)s\n\nWe apologise for the inconvenience and thank you for "
        "helping us improve. Please let us know whether this settles the matter."
    ) % {
        "customer": complaint.customer.name,
        "received": complaint.received_on.isoformat(),
        "category": complaint.get_category_display(),
        "result": complaint.result,
    }


def reply_letter(complaint: Complaint, *, printed_by: Any) -> bytes:
    doc = pdf.Document(
        title=_("Reply to the customer's complaint"),
        author=(printed_by.full_name or printed_by.username) if printed_by else "",
        subject=complaint.number,
    )
    doc.key_values(
        [
            (_("complaint number"), complaint.number),
            (_("customer"), complaint.customer.name),
            (_("received on"), complaint.received_on.isoformat()),
            (_("category"), complaint.get_category_display()),
            (_("route"), complaint.get_route_display()),
        ]
    )
    doc.spacer()
    for paragraph in (complaint.reply_text or standard_reply(complaint)).split("\n"):
        if paragraph.strip():
            doc.paragraph(paragraph)
    doc.spacer(8)
    approved = complaint.approved_at
    doc.signature_lines(
        [
            (_("approved by"), _person(complaint.approved_by), _date(approved)),
            (_("replied by"), _person(complaint.replied_by), _date(complaint.replied_at)),
        ]
    )
    return doc.build()


def _person(user: Any) -> str:
    return (user.full_name or user.username) if user is not None else ""


def _date(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def survey_form(survey: Survey, *, printed_by: Any) -> bytes:
    """The questionnaire on paper (顾客满意度调查表): each question with its scale to tick,
    or the answers recorded; handed to the customer or filled in at a visit."""
    doc = pdf.Document(
        title=survey.template.name,
        author=(printed_by.full_name or printed_by.username) if printed_by else "",
        subject=f"{survey.customer.name} {survey.year}",
    )
    doc.key_values(
        [
            (_("customer"), survey.customer.name),
            (_("year"), survey.year),
            (_("account manager"), _person(survey.assignee)),
            (_("respondent"), survey.respondent),
            (_("answered on"), survey.answered_on.isoformat() if survey.answered_on else ""),
        ]
    )
    doc.spacer()
    given = {a.item_id: a for a in survey.answers.all()}
    rows: list[list[Any]] = [[_("question"), _("scale"), _("answer")]]
    for item in survey.template.items.all():
        answer = given.get(item.pk)
        shown = "" if answer is None else (answer.text if answer.score is None else answer.score)
        if item.scale == Scale.TEXT:
            scale = _("Free text")
        else:
            low, high = SCALE_RANGE[Scale(item.scale)]
            scale = "  ".join(f"□{n}" for n in range(low, high + 1))
        rows.append([item.label, scale, shown])
    doc.table(rows, col_widths=[55, 80, 35])
    doc.spacer()
    doc.paragraph(_("comments") + ": " + survey.comment)
    doc.spacer(8)
    doc.signature_lines([(_("respondent"), survey.respondent, ""), (_("account manager"),
                         _person(survey.assignee), "")])  # fmt: skip
    return doc.build()
