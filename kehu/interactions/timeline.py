"""The customer card's timeline of interactions: every kind of interaction (communications
now; complaints, surveys and the others as they arrive) declares a source here, and the
timeline merges the newest entries of the sources the reader may see, newest first."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.core import policy
from kehu.customers.models import Customer
from kehu.interactions.models import (
    Channel,
    Complaint,
    CustomerResearch,
    Interaction,
    ServiceTicket,
    Survey,
    VisitPlan,
    VisitStatus,
)

PAGE = 20


@dataclass(frozen=True)
class Entry:
    """One line of the timeline."""

    kind: str
    kind_label: Any
    when: datetime.datetime
    title: str
    summary: str
    link: str
    who: str = ""
    badge: str = ""
    pk: int = 0


@dataclass(frozen=True)
class Source:
    """A kind of entry: who may see it (`permission` on the model, scoped to the customer's
    rows), and its newest entries up to `before` (exclusive) for a customer."""

    kind: str
    label: Any
    permission: str
    entries: Callable[[Customer, Any, datetime.datetime | None, int], list[Entry]]


_SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> None:
    _SOURCES[source.kind] = source


def sources() -> list[Source]:
    return list(_SOURCES.values())


def visible_sources(user: Any) -> list[Source]:
    return [s for s in _SOURCES.values() if policy.has_perm(user, s.permission)]


def timeline(
    user: Any,
    customer: Customer,
    *,
    kind: str = "",
    before: datetime.datetime | None = None,
    limit: int = PAGE,
) -> list[Entry]:
    """The newest `limit` entries the user may see (of one kind when `kind` names one)."""
    chosen = [s for s in visible_sources(user) if not kind or s.kind == kind]
    merged: list[Entry] = []
    for source in chosen:
        merged.extend(source.entries(customer, user, before, limit))
    merged.sort(key=lambda e: (e.when, e.pk), reverse=True)
    return merged[:limit]


# --- communications ----------------------------------------------------------------------


def communications(
    customer: Customer, user: Any, before: datetime.datetime | None, limit: int
) -> list[Entry]:
    rows: QuerySet[Interaction] = policy.scope(
        user, Interaction.objects.filter(customer=customer)
    ).select_related("author")
    if before is not None:
        rows = rows.filter(Q(occurred_at__lt=before))
    entries = []
    for row in rows.order_by("-occurred_at", "-id")[:limit]:
        badge = ""
        if row.follow_up_open:
            badge = str(_("follow-up due %(date)s") % {"date": row.follow_up_due})
        entries.append(
            Entry(
                kind="communication",
                kind_label=Channel(row.channel).label,
                when=row.occurred_at,
                title=row.subject,
                summary=(row.needs or row.content)[:160],
                link=reverse("generic:interactions_detail", args=[row.pk]),
                who=row.author.full_name or row.author.username,
                badge=badge,
                pk=row.pk,
            )
        )
    return entries


register_source(
    Source(
        kind="communication",
        label=_("Communications"),
        permission="interactions.interaction.view",
        entries=communications,
    )
)


# --- complaints --------------------------------------------------------------------------


def complaint_entries(
    customer: Customer, user: Any, before: datetime.datetime | None, limit: int
) -> list[Entry]:
    rows = policy.scope(user, Complaint.objects.filter(customer=customer))
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    return [
        Entry(
            kind="complaint",
            kind_label=_("Complaint"),
            when=row.created_at,
            title=f"{row.number} {row.get_category_display()}",
            summary=row.content[:160],
            link=reverse("generic:complaints_detail", args=[row.pk]),
            badge=row.get_status_display(),
            pk=row.pk,
        )
        for row in rows.order_by("-created_at", "-id")[:limit]
    ]


register_source(
    Source(
        kind="complaint",
        label=_("Complaints"),
        permission="interactions.complaint.view",
        entries=complaint_entries,
    )
)


# --- surveys -----------------------------------------------------------------------------


def survey_entries(
    customer: Customer, user: Any, before: datetime.datetime | None, limit: int
) -> list[Entry]:
    rows = policy.scope(user, Survey.objects.filter(customer=customer)).select_related("template")
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    return [
        Entry(
            kind="survey",
            kind_label=_("Survey"),
            when=row.created_at,
            title=f"{row.template.name} {row.year}",
            summary=row.comment[:160],
            link=reverse("generic:surveys_detail", args=[row.pk]),
            badge=row.get_status_display(),
            pk=row.pk,
        )
        for row in rows.order_by("-created_at", "-id")[:limit]
    ]


register_source(
    Source(
        kind="survey",
        label=_("Surveys"),
        permission="interactions.survey.view",
        entries=survey_entries,
    )
)


# --- customer research -------------------------------------------------------------------


def research_entries(
    customer: Customer, user: Any, before: datetime.datetime | None, limit: int
) -> list[Entry]:
    rows = policy.scope(user, CustomerResearch.objects.filter(customer=customer))
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    return [
        Entry(
            kind="research",
            kind_label=_("Customer research"),
            when=row.created_at,
            title=str(row.researched_on),
            summary=row.action_plan[:160],
            link=reverse("generic:customer-research_detail", args=[row.pk]),
            badge=str(_("voided")) if row.voided_at else "",
            pk=row.pk,
        )
        for row in rows.order_by("-created_at", "-id")[:limit]
    ]


register_source(
    Source(
        kind="research",
        label=_("Customer research"),
        permission="interactions.customerresearch.view",
        entries=research_entries,
    )
)


# --- planned visits and greetings ---------------------------------------------------------


def visit_entries(
    customer: Customer, user: Any, before: datetime.datetime | None, limit: int
) -> list[Entry]:
    """Plans still open (done ones are in the communication log)."""
    rows = policy.scope(
        user, VisitPlan.objects.filter(customer=customer, status=VisitStatus.PLANNED)
    )
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    return [
        Entry(
            kind="visit",
            kind_label=row.get_kind_display(),
            when=row.created_at,
            title=row.purpose,
            summary=str(_("planned on %(date)s") % {"date": row.planned_on}),
            link=reverse("generic:visit-plans_detail", args=[row.pk]),
            badge=row.get_status_display(),
            pk=row.pk,
        )
        for row in rows.order_by("-created_at", "-id")[:limit]
    ]


register_source(
    Source(
        kind="visit",
        label=_("Visit plan"),
        permission="interactions.visitplan.view",
        entries=visit_entries,
    )
)


# --- service tickets ---------------------------------------------------------------------


def ticket_entries(
    customer: Customer, user: Any, before: datetime.datetime | None, limit: int
) -> list[Entry]:
    rows = policy.scope(user, ServiceTicket.objects.filter(customer=customer))
    if before is not None:
        rows = rows.filter(started_at__lt=before)
    return [
        Entry(
            kind="ticket",
            kind_label=_("Service ticket"),
            when=row.started_at,
            title=row.get_problem_type_display(),
            summary=row.description[:160],
            link=reverse("generic:service-tickets_detail", args=[row.pk]),
            badge=str(_("SLA breached")) if row.breached else row.get_status_display(),
            pk=row.pk,
        )
        for row in rows.order_by("-started_at", "-id")[:limit]
    ]


register_source(
    Source(
        kind="ticket",
        label=_("Service tickets"),
        permission="interactions.serviceticket.view",
        entries=ticket_entries,
    )
)
