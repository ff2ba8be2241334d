"""The reminder rule that sends update links by itself (opt-in: KEHU_UPDATE_LINK_REMINDERS):
when a customer's dated document (its licence) enters the warning window, the customer's
primary contact with an e-mail address gets an update link, once per document and expiry
date, and the owner is told so (the engine's reminder, its channels and chat robots)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.models import User
from kehu.customers.models import ACTIVE_REGISTER, Contact
from kehu.documents.models import Document
from kehu.ops.reminders import Due, ReminderRule
from kehu.selfservice.models import LinkChannel, UpdateLink
from kehu.selfservice.services import link_create

KIND = "selfservice.licence"


def _contact(document: Document) -> Contact | None:
    contacts = document.customer.contacts.exclude(email="").order_by("-is_primary", "pk")
    return contacts.first()


def pending_links(today: datetime.date, user: User | None) -> Iterator[Due]:
    if not settings.KEHU_UPDATE_LINK_REMINDERS:
        return
    window = today + datetime.timedelta(days=LICENCE_RULE.horizon)
    documents = Document.objects.filter(
        expires_on__isnull=False,
        expires_on__gte=today,
        expires_on__lte=window,
        doc_type__has_dates=True,
        doc_type__is_active=True,
        customer__status__in=ACTIVE_REGISTER,
        customer__merged_into__isnull=True,
        customer__contacts__email__gt="",
    ).distinct()
    if user is not None:
        documents = documents.filter(customer__owner=user)
    documents = documents.select_related("customer__owner", "customer__unit", "doc_type")
    for document in documents.order_by("expires_on", "pk"):
        assert document.expires_on is not None
        yield Due(
            obj=document,
            deadline=document.expires_on,
            recipients=[document.customer.owner],
            title=_("%(type)s of %(customer)s")
            % {"type": document.doc_type.name, "customer": document.customer.name},
            link=reverse("generic:customers_detail", args=[document.customer_id]),
            body=_("An update link goes to the customer's contact by e-mail."),
            unit=document.customer.unit,
        )


def send_link(due: Due, stage: str, today: datetime.date) -> None:
    """Once per document and expiry: a link to the contact, unless one is still open."""
    document = due.obj
    assert isinstance(document, Document)
    customer = document.customer
    contact = _contact(document)
    if contact is None or customer.owner is None:
        return
    still_open = UpdateLink.objects.filter(
        customer=customer, revoked_at__isnull=True, used_at__isnull=True
    ).filter(expires_at__gt=timezone.now())
    if still_open.exists():
        return
    link_create(
        customer, by=customer.owner, channel=LinkChannel.EMAIL, contact=contact, reminder=KIND
    )


LICENCE_RULE = ReminderRule(
    kind=KIND,
    label=gettext_lazy("Update link before a licence expires"),
    pending=pending_links,
    before=(settings.KEHU_EXPIRY_WARNING_DAYS,),
    working_days=False,
    on_sent=send_link,
    before_title=gettext_lazy("Update link sent, expires on %(date)s: %(title)s"),
    on_my_tasks=False,
)
