"""Restricted personal data (PIPL art. 47) leaves every scope: lists, cards, search, exports,
the API and reports all ask the policy, which applies these conditions first."""

from django.db.models import Exists, OuterRef, Q

from kehu.core import policy
from kehu.customers.models import BankAccount, ChangeRequest, Contact, Customer
from kehu.documents.models import Document, DocumentVersion
from kehu.privacy.models import Restriction


def _unrestricted(customer_id: str) -> Q:
    # NOT EXISTS, not LEFT JOIN … IS NULL: PostgreSQL estimates the anti-join as keeping
    # (nearly) every row, while the join's IS NULL estimate (a handful of rows) makes it sort
    # every customer of a scope instead of reading a page along the list's sort index
    # (docs/performance.md).
    return Q(~Exists(Restriction.objects.filter(customer_id=OuterRef(customer_id))))


policy.register_usable(Customer, _unrestricted("pk"))
for _model in (Contact, BankAccount, ChangeRequest, Document):
    policy.register_usable(_model, _unrestricted("customer_id"), via="customer")
policy.register_usable(DocumentVersion, _unrestricted("document__customer_id"), via="document")
