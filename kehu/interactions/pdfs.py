"""The reply letter to a complaining customer (回复客户的标准函) as a PDF, from the standard
letter: the complaint, the approved result, the company's apology and its contact."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.infra import pdf
from kehu.interactions.models import Complaint


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
