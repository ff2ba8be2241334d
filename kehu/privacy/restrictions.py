"""Restricted personal data (PIPL art. 47) leaves every scope: lists, cards, search, exports,
the API and reports all ask the policy, which applies these conditions first."""

from django.db.models import Q

from kehu.core import policy
from kehu.customers.models import BankAccount, ChangeRequest, Contact, Customer
from kehu.documents.models import Document, DocumentVersion

policy.register_usable(Customer, Q(privacy_restriction__isnull=True))
for _model in (Contact, BankAccount, ChangeRequest, Document):
    policy.register_usable(_model, Q(customer__privacy_restriction__isnull=True))
policy.register_usable(DocumentVersion, Q(document__customer__privacy_restriction__isnull=True))
