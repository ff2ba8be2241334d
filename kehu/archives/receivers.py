"""The archives listen to the customer lifecycle: activation numbers the dossier (ARC-1),
the end of the relationship starts the retention clock (ARC-7)."""

from __future__ import annotations

from typing import Any

from kehu.archives import services

try:  # the lead adds the signal to main (mechanisms step 1)
    from kehu.customers.signals import customer_status_changed
except ImportError:  # pragma: no cover
    customer_status_changed = None


def on_status_changed(
    sender: Any, customer: Any, old: str, new: str, by: Any = None, **kwargs: Any
) -> None:
    services.on_customer_status_changed(customer, old, new)


if customer_status_changed is not None:
    customer_status_changed.connect(on_status_changed, dispatch_uid="archives.status_changed")
