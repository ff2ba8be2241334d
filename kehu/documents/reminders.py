"""Document expiry in the reminder engine: the customer's owner hears of a document entering
the warning window, a week before it expires, and once it has expired."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.models import User
from kehu.documents.models import Document
from kehu.ops.reminders import Due, ReminderRule


def pending_expiries(today: datetime.date, user: User | None) -> Iterator[Due]:
    window = today + datetime.timedelta(days=EXPIRY_RULE.horizon)
    documents = Document.objects.filter(expires_on__isnull=False, expires_on__lte=window)
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
            % {"type": document.label, "customer": document.customer.name},
            link=reverse("documents:document", args=[document.pk]),
            body=_("Upload the renewed document to the customer's dossier."),
            unit=document.customer.unit,
        )


def expiry_reminded(due: Due, stage: str, today: datetime.date) -> None:
    Document.objects.filter(pk=due.obj.pk).update(expiry_notified_on=today)


EXPIRY_RULE = ReminderRule(
    kind="documents.expiry",
    label=gettext_lazy("Document expiring"),
    pending=pending_expiries,
    before=(settings.KEHU_EXPIRY_WARNING_DAYS, 7),
    working_days=False,
    on_sent=expiry_reminded,
    before_title=gettext_lazy("Expires on %(date)s: %(title)s"),
    overdue_title=gettext_lazy("Expired on %(date)s: %(title)s"),
)
