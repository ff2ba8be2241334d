"""The dossier package as the user's background job: started from the card, built as its
owner may see the customer when it runs, audited, kept as the job's result file."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import masking, policy
from kehu.core.access import NOT_FOUND, require
from kehu.customers import package, selectors
from kehu.customers.models import Customer
from kehu.generic.jobs import JobContext, start_job
from kehu.generic.models import UserJob

JOB_KIND = "customers.package"
EXPORT = "customers.customer.export"


def may_reveal_any(user: Any, customer: Customer) -> bool:
    return masking.may_reveal(user, customer)


def start_package(
    user: Any, customer: Customer, *, reveal: bool, reason: str, all_versions: bool
) -> UserJob:
    """Queue the package of `customer`; refused without the export permission on it, or a
    reveal asked without the permission or without a reason."""
    require(user, EXPORT, customer)
    reason = reason.strip()
    if reveal and not may_reveal_any(user, customer):
        raise PermissionDenied(_("You may not reveal this customer's masked values."))
    if reveal and not reason:
        raise ValidationError({"reason": [_("Give the reason for revealing masked values.")]})
    params = {
        "customer": customer.pk,
        "reveal": reveal,
        "reason": reason,
        "all_versions": all_versions,
    }
    title = _("Dossier package of %(name)s") % {"name": customer.name}
    return start_job(user, JOB_KIND, title, params)


def _customer(user: Any, pk: Any) -> Customer:
    found = policy.scope(user, selectors.customer_rows()).filter(pk=pk).first()
    if found is None:
        raise PermissionDenied(NOT_FOUND)
    return policy.loaded_in_scope(found)


def run_package(ctx: JobContext) -> dict[str, Any]:
    params = ctx.params
    customer = _customer(ctx.user, params.get("customer"))
    require(ctx.user, EXPORT, customer)
    reveal = bool(params.get("reveal")) and may_reveal_any(ctx.user, customer)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = f"{customer.name}-{stamp}.zip"
    with package.temporary_zip() as handle:
        built = package.build(
            customer,
            ctx.user,
            handle,
            reveal=reveal,
            reason=str(params.get("reason", "")),
            all_versions=bool(params.get("all_versions")),
            progress=lambda done, total: ctx.progress(done, total),
        )
        handle.flush()
        record(
            "customers.customer.package",
            customer,
            extra={
                "files": len(built.files),
                "left_out": len(built.left_out),
                "reveal": reveal,
                "all_versions": bool(params.get("all_versions")),
            },
        )
        ctx.attach_result(name, handle.name, "application/zip")
    return {"files": len(built.files), "left_out": len(built.left_out)}
