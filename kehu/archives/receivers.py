"""The archives listen to the customer lifecycle: activation numbers the dossier (ARC-1),
the end of the relationship starts the retention clock (ARC-7). The signal is sent inside
the status change's transaction, so a failed numbering undoes the activation. Connected in
`ArchivesConfig.ready`."""

from __future__ import annotations

from typing import Any

from kehu.archives import services


def on_status_changed(
    sender: Any, customer: Any, old: str, new: str, by: Any = None, **kwargs: Any
) -> None:
    services.on_customer_status_changed(customer, old, new)
