"""The scheduled verification: seal, verify, export; a failed verification is an alarm."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kehu.audit.heads import export_if_due
from kehu.audit.sealing import seal_pending
from kehu.audit.selectors import verify_chain
from kehu.audit.services import record
from kehu.core.models import Role, User


def alarm_recipients() -> QuerySet[User]:
    """Active system administrators and auditors (any unit), and superusers."""
    roles = [Role.SYSTEM_ADMIN, Role.AUDITOR]
    return User.objects.filter(
        Q(role_assignments__role__in=roles) | Q(is_superuser=True), is_active=True
    ).distinct()


def verify_and_alarm() -> dict[str, Any]:
    """Seal what is pending, verify the chain against its head and exports, export the head
    if due. On a failure: an audit event and a notification to administrators and auditors."""
    from kehu.core.services import notify

    sealed = seal_pending()
    result = verify_chain()
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
