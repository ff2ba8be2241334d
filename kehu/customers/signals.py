"""Signals other contexts listen to (archives numbers a dossier when a customer becomes active)."""

from django.dispatch import Signal

# Sent inside the transaction of `services.change_status`, after the change is saved and
# audited: customer, old, new (status values), by (the user).
customer_status_changed = Signal()
