"""The scheduled verification: seal, verify, export; a failed verification is an alarm. The
interval job seals leftovers and exports the head when due."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kehu.audit.chain import VerifyResult
from kehu.audit.heads import export_if_due
from kehu.audit.sealing import seal_pending
from kehu.audit.selectors import stale_unsealed_problem, verify_chain
from kehu.audit.services import record
from kehu.core.models import Role, User
from kehu.core.notifications import notify


def alarm_recipients() -> QuerySet[User]:
    """Active system administrators and auditors (any unit), and superusers."""
    roles = [Role.SYSTEM_ADMIN, Role.AUDITOR]
    return User.objects.filter(
        Q(role_assignments__role__in=roles) | Q(is_superuser=True), is_active=True
    ).distinct()


def seal_and_verify(anchor_paths: list[Path] | None = None) -> tuple[int, VerifyResult]:
    """Seal what is pending and verify the chain. Events that waited for their sealing longer
    than the grace period are a finding even though they are sealed now."""
    stale = stale_unsealed_problem()
    sealed = seal_pending()
    result = verify_chain(anchor_paths)
    if result.ok and stale:
        result.ok, result.problem = False, f"{stale}; sealed now"
    return sealed, result


def seal_and_export() -> dict[str, Any]:
    """Every few minutes: seal events their writers left unsealed and export the head when
    N events or M minutes have passed, also when no write came after a short burst."""
    sealed = seal_pending()
    exported = export_if_due()
    return {"sealed": sealed, "exported_seq": exported["seq"] if exported else None}


def verify_and_alarm() -> dict[str, Any]:
    """Seal what is pending, verify the chain against its head and exports, export the head
    if due. On a failure: an audit event and a notification to administrators and auditors."""

    sealed, result = seal_and_verify()
    if not result.ok:
        with transaction.atomic():
            record(
                "audit.chain.verify_failed",
                object_type="audit.auditevent",
                object_repr=str(_("Audit chain")),
                extra={"problem": result.problem, "bad_seq": result.bad_seq},
            )
            notify(
                alarm_recipients(),
                _("Audit chain verification failed"),
                _("The audit chain verification found: %(problem)s") % {"problem": result.problem},
                link="/audit/",
                email=True,
            )
    export_if_due()
    return {
        "ok": result.ok,
        "events": result.count,
        "head_seq": result.head_seq,
        "sealed": sealed,
        "problem": result.problem,
    }
