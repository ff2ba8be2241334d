"""Demo documents: licences (some expired, some expiring soon), tax registrations
and attested copies for a few demo organisations. Small generated files; fast."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kehu.audit.context import SYSTEM, acting_as
from kehu.customers.models import Customer, CustomerKind
from kehu.documents import samples, services
from kehu.documents.models import Document, DocumentType

# (days until expiry of the business licence) for the first customers: expired, expiring
# within the warning window, valid for years.
_EXPIRY = [-20, 7, 25, 400, 900, 1500, -3, 14, 2000, 365, 60, 3000]


def load() -> int:
    if Document.objects.exists():
        return 0
    types = {t.code: t for t in DocumentType.objects.all()}
    if "business_licence" not in types:
        return 0
    today = timezone.localdate()
    customers = Customer.objects.filter(kind=CustomerKind.ORGANIZATION).select_related("owner")
    created = 0
    with acting_as(SYSTEM):
        for n, customer in enumerate(customers.order_by("pk")[: len(_EXPIRY)]):
            expires = today + datetime.timedelta(days=_EXPIRY[n])
            licence = SimpleUploadedFile(
                f"营业执照-{customer.pk}.pdf", samples.pdf(f"Business licence no. {customer.pk}")
            )
            services.document_upload(
                customer, types["business_licence"], licence, customer.owner,
                issued_on=expires - datetime.timedelta(days=3650), expires_on=expires,
                attested=n % 2 == 0,
            )  # fmt: skip
            created += 1
            if n % 3 == 0:
                scan = SimpleUploadedFile(f"税务登记-{customer.pk}.png", samples.png(seed=n))
                services.document_upload(customer, types["tax_registration"], scan, customer.owner)
                created += 1
    return created
