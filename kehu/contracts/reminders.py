"""The contract archive's reminder rules for kehu.ops.reminders (the one reminder engine):
the semi-annual statistics are due 10 January and 10 July; the contract officer, who prepares
them, is reminded until the half-year's report has been generated. The annual
credit-management analysis report is due 10 January; the credit manager is reminded until
the year's report has been generated. A contract in force nearing or past its end date is
reminded to its handler. (The dossier hand-overs
are workflow steps: the workflow reminds and escalates them.)"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.contracts import annual, statistics
from kehu.contracts.models import Contract, ContractSettings, ContractStatus
from kehu.core.models import Role, User
from kehu.ops.models import ReminderChannel
from kehu.ops.reminders import Due, ReminderRule

SEMIANNUAL = "contracts.semiannual_report"


def report_preparers() -> list[User]:
    """Who prepares the statistics: every active holder of the contract officer role."""
    return holders(Role.CONTRACT_OFFICER)


def holders(role: str) -> list[User]:
    rows = User.objects.filter(is_active=True, role_assignments__role=role)
    return list(rows.distinct().order_by("pk"))


def semiannual_pending(today: datetime.date, user: User | None) -> Iterable[Due]:
    """The half-year report due next, while it has not been generated."""
    period = statistics.period_due(today)
    if statistics.generated_for(period):
        # Reminders reach ahead: the next half-year's deadline once this one's is met.
        period = statistics.half_year(period.end + datetime.timedelta(days=1))
        if period.due_on > today + datetime.timedelta(days=200) or statistics.generated_for(period):
            return []
    recipients = report_preparers()
    if user is not None and user.pk not in {r.pk for r in recipients}:
        return []
    return [
        Due(
            obj=ContractSettings.current(),
            deadline=period.due_on,
            recipients=recipients,
            title=_("Semi-annual contract statistics %(period)s due on %(due)s")
            % {"period": period.label, "due": f"{period.due_on:%Y-%m-%d}"},
            link=reverse("contracts:statistics"),
            unit=None,
        )
    ]


SEMIANNUAL_RULE = ReminderRule(
    kind=SEMIANNUAL,
    label=gettext_lazy("Semi-annual contract statistics"),
    pending=semiannual_pending,
    before=(10, 3, 1),
    every_after=2,
    escalate_after=5,
    default_channel=ReminderChannel.EMAIL,
)


ANNUAL = "contracts.annual_credit_report"


def annual_pending(today: datetime.date, user: User | None) -> Iterable[Due]:
    """The year's credit-management analysis report, while it has not been generated."""
    year = annual.year_due(today)
    if annual.generated_for(year):
        year += 1  # the next one, once its deadline is near
        if annual.due_on(year) > today + datetime.timedelta(days=200):
            return []
    recipients = holders(Role.CREDIT_MANAGER)
    if user is not None and user.pk not in {r.pk for r in recipients}:
        return []
    due = annual.due_on(year)
    return [
        Due(
            obj=ContractSettings.current(),
            deadline=due,
            recipients=recipients,
            title=_("Annual credit-management analysis report %(year)s due on %(due)s")
            % {"year": year, "due": f"{due:%Y-%m-%d}"},
            link=reverse("contracts:statistics"),
            unit=None,
        )
    ]


ANNUAL_RULE = ReminderRule(
    kind=ANNUAL,
    label=gettext_lazy("Annual credit-management analysis report"),
    pending=annual_pending,
    before=(10, 3, 1),
    every_after=2,
    escalate_after=5,
    default_channel=ReminderChannel.EMAIL,
)


CONTRACT_END = "contracts.contract_end"
# Contracts in force: their end date is a deadline of the handler's.
IN_FORCE = (ContractStatus.SIGNED, ContractStatus.PERFORMING, ContractStatus.CHANGED)


def contract_end_pending(today: datetime.date, user: User | None) -> Iterable[Due]:
    """Contracts in force whose end date is near or past: the handler records the contract
    performed, renews or ends it (and its dossier is then handed over)."""
    window = today + datetime.timedelta(days=CONTRACT_END_RULE.horizon)
    contracts = Contract.objects.filter(
        status__in=IN_FORCE, ends_on__isnull=False, ends_on__lte=window
    )
    if user is not None:
        contracts = contracts.filter(handler=user)
    rows = contracts.select_related("handler", "unit", "customer").order_by("ends_on", "pk")
    for contract in rows:
        assert contract.ends_on is not None
        yield Due(
            obj=contract,
            deadline=contract.ends_on,
            recipients=[contract.handler],
            title=_("Contract %(number)s with %(customer)s ends on %(date)s")
            % {
                "number": contract.number,
                "customer": contract.customer.name,
                "date": f"{contract.ends_on:%Y-%m-%d}",
            },
            link=contract.get_absolute_url(),
            body=_("Record the contract performed, changed or terminated."),
            unit=contract.unit,
        )


CONTRACT_END_RULE = ReminderRule(
    kind=CONTRACT_END,
    label=gettext_lazy("Contract ending"),
    pending=contract_end_pending,
    before=(30, 7),
    working_days=False,
)
