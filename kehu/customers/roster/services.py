"""Checking and importing a roster file for a user into a department: the permission check
(whoever may create customers in that department), the actor of the audit events, the
language of the messages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _

from kehu.audit.context import acting_as, actor_for, current_actor
from kehu.core import policy
from kehu.core.models import OrgUnit, User
from kehu.core.storage import iter_plain
from kehu.customers.roster.spec import RosterContext
from kehu.customers.roster.writing import Roster
from kehu.generic.importing import Outcome, check, import_file
from kehu.generic.importing.engine import Progress
from kehu.generic.importing.workbooks import error_report, template
from kehu.generic.jobs import start_job

ROSTER = Roster()
PERMISSION = "customers.customer.add"


def import_units(user: User) -> Any:
    """The departments `user` may import customers into."""
    return policy.units_where(user, PERMISSION)


def context_for(user: User, unit: OrgUnit, file_name: str = "") -> RosterContext:
    if not import_units(user).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("You may not create customers in this department."))
    return RosterContext.for_user(user, unit, file_name)


def check_roster(user: User, unit: OrgUnit, name: str, content: bytes, **kw: Any) -> Outcome:
    """The dry run: what importing the file would do; nothing is saved."""
    with translation.override(settings.LANGUAGE_CODE):
        return check(ROSTER, name, content, context_for(user, unit, name), **kw)


def import_roster(
    user: User,
    unit: OrgUnit,
    name: str,
    content: bytes,
    *,
    good_rows_only: bool = False,
    progress: Progress | None = None,
) -> Outcome:
    """Import the file as `user` (the actor of every audit event)."""
    context = context_for(user, unit, name)
    actor = current_actor()
    if actor.user_id != user.pk:  # a job's runner already acts as its owner
        actor = actor_for(user)
    with translation.override(settings.LANGUAGE_CODE), acting_as(actor):
        return import_file(
            ROSTER, name, content, context, good_rows_only=good_rows_only, progress=progress
        )


def roster_template(user: User, unit: OrgUnit | None = None) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        context = RosterContext.for_user(user, unit or OrgUnit())
        return template(ROSTER.columns(context))


def roster_error_report(name: str, content: bytes, outcome: Outcome) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return error_report(name, content, outcome.errors)


def start_check(user: User, unit: OrgUnit, name: str, content: bytes, good_rows_only: bool) -> Any:
    """Queue the dry run of an uploaded roster (a job); its summary links to the preview."""
    from kehu.customers.roster.jobs import KIND

    context_for(user, unit)  # refused here, not only in the worker
    params = {"unit": unit.pk, "dry_run": True, "good_rows_only": good_rows_only}
    title = _("Check of customer import %(name)s") % {"name": name}
    return start_job(user, KIND, title, params, input_file=(name, content))


def confirm_import(user: User, checked: Any, good_rows_only: bool) -> Any:
    """Queue the import of a checked file (the dry-run job `checked`, owned by `user`)."""
    from kehu.customers.roster.jobs import KIND

    unit = OrgUnit.objects.get(pk=checked.params["unit"])
    context_for(user, unit)
    content = b"".join(iter_plain(checked.input_file))
    params = {"unit": unit.pk, "dry_run": False, "good_rows_only": good_rows_only,
              "checked_job": checked.pk}  # fmt: skip
    title = _("Customer import %(name)s") % {"name": checked.input_name}
    return start_job(user, KIND, title, params, input_file=(checked.input_name, content))
