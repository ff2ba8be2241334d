"""Signals other contexts listen to: archives number a dossier when a customer becomes active,
documents follow a merge. Receivers are connected in their app's `ready`."""

from django.dispatch import Signal

# Sent inside the transaction of `services.change_status`, after the change is saved and
# audited: customer, old, new (status values), by (the user).
customer_status_changed = Signal()

# Sent inside the transaction of `duplicates.merge`, before the absorbed customer is closed:
# survivor, absorbed, by. Each receiver moves its own rows and returns {what: how many}.
customer_merged = Signal()
