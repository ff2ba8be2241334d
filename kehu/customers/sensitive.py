"""The personal data of customers, contacts and bank accounts (SEC-3, AUD-1), declared once
for every output through kehu.core.masking: lists, cards, forms, exports, the API, audit
snapshots and the audit log's display, change requests and PDFs."""

from __future__ import annotations

from kehu.core import masking
from kehu.customers.models import BankAccount, Contact, Customer, CustomerKind

# Tiers: ID and bank account numbers CORE, a person's phones and what the ID number encodes
# IMPORTANT; an administrator may move any of them (kehu.privacy.tiers).
masking.register(Customer, "id_number", masking.ID_NUMBER, tier=masking.CORE)
# The birth date and gender are digits 7–14 and 17 of the ID number, which the mask hides:
# shown beside it they would rebuild it, so they are masked with it and revealed with it.
# Organisations have neither, so they apply to every customer (and to old audit events).
masking.register(Customer, "birth_date", masking.DATE, part_of="id_number")
masking.register(Customer, "gender", masking.HIDDEN, part_of="id_number")
masking.register(Customer, "legal_rep_id_number", masking.ID_NUMBER, tier=masking.CORE)
masking.register(
    Customer,
    "phone",
    masking.PHONE,
    applies=lambda c: c.kind == CustomerKind.INDIVIDUAL,
    uses=("kind",),
)
# A person's phone is masked wherever it appears: a contact's mobile, the legal
# representative's phone (the same person is often both).
masking.register(Customer, "legal_rep_phone", masking.PHONE)
masking.register(Contact, "mobile", masking.PHONE)
masking.register(BankAccount, "account_number", masking.ACCOUNT, tier=masking.CORE)

# An individual's card and every contact are personal data: each look is recorded.
masking.register_reads(Customer, lambda c: c.kind == CustomerKind.INDIVIDUAL)
masking.register_reads(Contact)
