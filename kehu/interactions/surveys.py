"""Surveys (INT-4, INT-7): sending a year's questionnaire to the account managers of the
active customers, recording answers on their scales, aggregating them (n, mean, CSAT as
top-2-box, NPS) and opening a corrective action where an item falls below its target."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import calendar, policy
from kehu.core.access import DENIED
from kehu.core.models import OrgUnit, User
from kehu.customers.assignment import attachable_customers
from kehu.customers.models import Customer, CustomerStatus
from kehu.generic.services import audited_create
from kehu.interactions.models import (
    SCALE_RANGE,
    CorrectiveAction,
    CorrectiveStatus,
    Scale,
    Survey,
    SurveyAnswer,
    SurveyItem,
    SurveyStatus,
    SurveyTemplate,
)
from kehu.interactions.personal import require_research_consent, researchable

# A corrective action is due this many working days after it opens.
CORRECTIVE_WORKING_DAYS = 20
# A survey of the yearly round is due this many working days after it is sent.
ROUND_WORKING_DAYS = 20


def survey_send(
    template: SurveyTemplate, *, year: int, due_date: datetime.date, by: User,
    customers: QuerySet[Customer] | None = None,
) -> int:  # fmt: skip
    """A survey for every active customer (or `customers`) without one of this template and
    year, assigned to its account manager; returns how many were sent."""
    if not policy.has_perm(by, "interactions.survey.add"):
        raise PermissionDenied(DENIED)
    if not template.is_active or not template.items.exists():
        raise ValidationError({"template": [_("Choose an active template with questions.")]})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": [_("The due date must not be in the past.")]})
    rows = customers if customers is not None else Customer.objects.all()
    # The customers the sender works on: an account manager's own, the head's department's.
    active = rows.filter(status=CustomerStatus.ACTIVE, merged_into=None)
    rows = policy.scope(by, active, "change")
    with transaction.atomic():
        sent = _send(template, rows, year=year, due_date=due_date)
        record("interactions.survey.send", template, extra={"year": year, "sent": sent})
    return sent


def _send(
    template: SurveyTemplate, rows: QuerySet[Customer], *, year: int, due_date: datetime.date
) -> int:
    """Surveys for those of `rows` without one of the template and year; a person customer
    only with their consent to research."""
    rows = researchable(rows.exclude(surveys__template=template, surveys__year=year))
    surveys = [
        Survey(template=template, customer=c, year=year, assignee_id=c.owner_id, due_date=due_date)
        for c in rows.only("pk", "owner_id")
    ]
    Survey.objects.bulk_create(surveys)
    return len(surveys)


def yearly_round(today: datetime.date | None = None) -> int:
    """The automatic yearly round: from its template's month on, every active customer
    without this year's survey of the template gets one (a task for its account manager, due
    in ROUND_WORKING_DAYS working days). Returns how many were sent."""
    today = today or timezone.localdate()
    due = calendar.add_working_days(today, ROUND_WORKING_DAYS)
    total = 0
    templates = (
        SurveyTemplate.objects.filter(
            is_active=True, round_month__isnull=False, round_month__lte=today.month
        )
        .filter(items__isnull=False)
        .distinct()
    )
    for template in templates:
        active = Customer.objects.filter(status=CustomerStatus.ACTIVE, merged_into=None)
        with transaction.atomic():
            sent = _send(template, active, year=today.year, due_date=due)
            if sent:
                record("interactions.survey.round", template,
                       extra={"year": today.year, "sent": sent})  # fmt: skip
        total += sent
    return total


def survey_create(data: dict[str, Any]) -> Survey:
    """One customer's survey (the record page's "new"), for a customer the user works on,
    assigned to its account manager."""
    customer: Customer = data["customer"]
    user = data.get("submitted_by")
    if user is None or not attachable_customers(user).filter(pk=customer.pk).exists():
        raise PermissionDenied(DENIED)
    require_research_consent(customer)
    survey = Survey(
        template=data["template"], customer=customer, year=data["year"],
        assignee_id=customer.owner_id, due_date=data["due_date"],
        respondent=data.get("respondent", ""),
    )  # fmt: skip
    survey.full_clean()
    return audited_create(survey)


def record_print(survey: Survey) -> None:
    """Printing a survey's form is a read of the customer's answers: audited."""
    record("interactions.survey.print", survey, extra={"customer": survey.customer_id})


def field_name(item: SurveyItem) -> str:
    return f"item_{item.pk}"


def _parse(item: SurveyItem, raw: Any) -> tuple[int | None, str, str]:
    """(score, text, error) of one answer as given."""
    text = "" if raw is None else str(raw).strip()
    if item.scale == Scale.TEXT:
        return None, text, ""
    if text == "":
        return None, "", ""  # not answered: counts for nothing
    low, high = SCALE_RANGE[Scale(item.scale)]
    try:
        score = int(text)
    except ValueError:
        score = None
    if score is None or not low <= score <= high:
        return None, "", _("Give a whole number from %(low)s to %(high)s.") % {
            "low": low, "high": high,
        }  # fmt: skip
    return score, "", ""


def survey_answer(
    survey: Survey, *, by: User, answers: dict[str, Any], respondent: str = "",
    comment: str = "", answered_on: datetime.date | None = None,
) -> Survey:  # fmt: skip
    """Record the customer's answers (keyed by `field_name`); every answer on its scale or
    nothing is stored. Corrective actions open where an item now falls below its target."""
    if survey.assignee_id != by.pk and not policy.has_perm(
        by, "interactions.survey.change", survey
    ):
        raise PermissionDenied(DENIED)
    if survey.status == SurveyStatus.ANSWERED:
        raise ValidationError(_("This survey has been answered already."))
    require_research_consent(survey.customer, "__all__")
    items = list(survey.template.items.all())
    parsed, errors = {}, {}
    for item in items:
        score, text, error = _parse(item, answers.get(field_name(item)))
        if error:
            errors[field_name(item)] = [error]
        parsed[item] = (score, text)
    answered_on = answered_on or timezone.localdate()
    if answered_on > timezone.localdate():
        errors["answered_on"] = [_("Answers cannot come from the future.")]
    if not any(score is not None or text for score, text in parsed.values()) and not errors:
        errors["__all__"] = [_("Record at least one answer.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(survey=survey, item=item, score=score, text=text)
            for item, (score, text) in parsed.items()
            if score is not None or text
        )
        Survey.objects.filter(pk=survey.pk).update(
            status=SurveyStatus.ANSWERED, answered_on=answered_on, respondent=respondent,
            comment=comment, version=survey.version + 1, updated_at=timezone.now(),
        )  # fmt: skip
        record("interactions.survey.answer", survey, extra={"answers": len(parsed)})
        survey.refresh_from_db()
        check_targets(survey.template, survey.year)
    return survey


# --- aggregation --------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One item's answers in one group: how many, their mean, CSAT (share of 4 and 5 on a
    five-point scale) and NPS (promoters 9–10 minus detractors 0–6), in per cent."""

    item: SurveyItem
    n: int
    mean: Decimal | None
    csat: Decimal | None
    nps: Decimal | None

    @property
    def key_figure(self) -> Decimal | None:
        """What the item's target is compared with: CSAT, or NPS for a recommendation."""
        return self.nps if self.item.scale == Scale.NPS else self.csat


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def summarise(item: SurveyItem, scores: Iterable[int]) -> Result:
    values = list(scores)
    n = len(values)
    if not n:
        return Result(item, 0, None, None, None)
    mean = (Decimal(sum(values)) / n).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if item.scale == Scale.NPS:
        promoters = sum(v >= 9 for v in values)
        detractors = sum(v <= 6 for v in values)
        return Result(item, n, mean, None, _percent(promoters - detractors, n))
    return Result(item, n, mean, _percent(sum(v >= 4 for v in values), n), None)


def answers_of(
    template: SurveyTemplate, *, year: int | None = None, unit: OrgUnit | None = None,
    user: Any = None,
) -> QuerySet[SurveyAnswer]:  # fmt: skip
    rows = SurveyAnswer.objects.filter(item__template=template, score__isnull=False)
    if year is not None:
        rows = rows.filter(survey__year=year)
    if unit is not None:
        rows = rows.filter(survey__customer__unit__path__startswith=unit.path)
    if user is not None:
        rows = rows.filter(survey__in=policy.scope(user, Survey.objects.all()))
    return rows


def aggregate(
    template: SurveyTemplate, *, year: int | None = None, unit: OrgUnit | None = None,
    user: Any = None,
) -> list[Result]:  # fmt: skip
    """One result per scored item of the template (n shown even when 0)."""
    scores: dict[int, list[int]] = defaultdict(list)
    rows = answers_of(template, year=year, unit=unit, user=user)
    for item_id, score in rows.values_list("item_id", "score"):
        if score is not None:
            scores[item_id].append(score)
    items = template.items.exclude(scale=Scale.TEXT)
    return [summarise(item, scores.get(item.pk, ())) for item in items]


def aggregate_by_unit(
    template: SurveyTemplate, *, year: int, user: Any = None, unit: OrgUnit | None = None
) -> dict[OrgUnit, list[Result]]:
    """The same per department of the customers (those in `unit` and below it)."""
    scores: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    rows = answers_of(template, year=year, unit=unit, user=user)
    for unit_id, item_id, score in rows.values_list(
        "survey__customer__unit_id", "item_id", "score"
    ):
        if score is not None:
            scores[unit_id][item_id].append(score)
    items = list(template.items.exclude(scale=Scale.TEXT))
    units = OrgUnit.objects.in_bulk(list(scores))
    return {
        units[unit_id]: [summarise(item, by_item.get(item.pk, ())) for item in items]
        for unit_id, by_item in sorted(scores.items(), key=lambda kv: units[kv[0]].code)
    }


def check_targets(template: SurveyTemplate, year: int) -> list[CorrectiveAction]:
    """Open a corrective action for each department and item of the year below its target
    (once; an open one is kept up to date)."""
    opened = []
    due = calendar.add_working_days(timezone.localdate(), CORRECTIVE_WORKING_DAYS)
    for unit, results in aggregate_by_unit(template, year=year).items():
        for result in results:
            target, figure = result.item.target, result.key_figure
            if target is None or figure is None or figure >= target:
                continue
            known = CorrectiveAction.objects.filter(item=result.item, year=year, unit=unit)
            if known.exists():
                # An open action follows the figure as more answers come in.
                known.filter(status=CorrectiveStatus.OPEN).update(measured=figure)
                continue
            action = CorrectiveAction(
                item=result.item,
                year=year,
                unit=unit,
                measured=figure,
                target=target,
                due_date=due,
                description=_("%(item)s: %(figure)s below the target %(target)s (n = %(n)s).")
                % {"item": result.item.label, "figure": figure, "target": target, "n": result.n},
            )
            opened.append(audited_create(action))
    return opened


def corrective_action_create(data: dict[str, Any]) -> CorrectiveAction:
    """A corrective action opened by hand, for a department the user may open them in."""
    user = data.get("submitted_by")
    fields = ("item", "year", "unit", "measured", "target", "description", "owner", "due_date")
    action = CorrectiveAction(**{k: data[k] for k in fields if k in data})
    if user is None or not policy.has_perm(user, "interactions.correctiveaction.add", action):
        raise ValidationError(
            {"unit": [_("You may not open corrective actions for this department.")]}
        )
    action.full_clean()
    return audited_create(action)
