"""Reads shared by the card, the pages and the API: the card's timeline panel and what a
communication's detail page shows beyond its fields."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from kehu.core import policy
from kehu.customers.card import CardPanel
from kehu.customers.models import Customer
from kehu.interactions import complaints, pdfs, purchases, research, timeline
from kehu.interactions.models import (
    Complaint,
    CustomerResearch,
    Interaction,
    ReportStatus,
    Survey,
    SurveyReport,
    SurveyStatus,
    VisitPlan,
    VisitStatus,
)
from kehu.interactions.personal import personal_note_visible
from kehu.workflow.rules import may_act

CARD_ENTRIES = 10


def timeline_context(
    user: Any, customer: Customer, kind: str, before: datetime.datetime | None, limit: int
) -> dict[str, Any]:
    shown = timeline.visible_sources(user)
    kinds = {s.kind for s in shown}
    kind = kind if kind in kinds else ""
    entries = timeline.timeline(user, customer, kind=kind, before=before, limit=limit + 1)
    return {
        "timeline_entries": entries[:limit],
        "timeline_more": entries[limit].when if len(entries) > limit else None,
        "timeline_kinds": [(s.kind, s.label) for s in shown],
        "timeline_kind": kind,
        "timeline_url": reverse("interactions:timeline", args=[customer.pk]),
        "timeline_add_url": (
            f"{reverse('generic:interactions_add')}?customer={customer.pk}"
            if policy.has_perm(user, "interactions.interaction.add")
            and policy.has_perm(user, "customers.customer.change", customer)
            else ""
        ),
    }


def card_panel(request: HttpRequest, customer: Customer) -> CardPanel:
    if not timeline.visible_sources(request.user):
        return CardPanel({"timeline_shown": False})
    kind = request.GET.get("timeline", "")
    context = timeline_context(request.user, customer, kind, None, CARD_ENTRIES)
    shown_profile = policy.has_perm(request.user, "interactions.purchase.view")
    return CardPanel(
        {
            "timeline_shown": True,
            "customer_profile": purchases.profile(customer) if shown_profile else None,
            **context,
        }
    )


def parse_before(value: str) -> datetime.datetime | None:
    return parse_datetime(value) if value else None


def interaction_context(request: HttpRequest, obj: Interaction) -> dict[str, Any]:
    """The detail page's extras: participants, contacts, the personal note when its reader may
    see it, and whether the follow-up can be marked done."""
    user = request.user
    return {
        "participants": list(obj.our_participants.all()),
        "contacts_present": list(obj.contacts.all()),
        "personal_note": obj.personal_note if personal_note_visible(user, obj) else "",
        "can_mark_done": obj.follow_up_open
        and (
            policy.has_perm(user, "interactions.interaction.change", obj)
            or obj.follow_up_owner_id == getattr(user, "pk", None)
        ),
    }


def complaint_context(request: HttpRequest, obj: Complaint) -> dict[str, Any]:
    """The complaint page's extras: its case, and the reply form for whoever sends it (the
    standard letter prefilled) once the general manager has approved the result."""
    reply_step = complaints.open_step(obj, "reply")
    may_reply = reply_step is not None and may_act(request.user, reply_step)
    letters = list(complaints.letters_for(obj)) if may_reply else []
    chosen = next((x for x in letters if str(x.pk) == request.GET.get("letter")), None)
    text = complaints.fill_letter(chosen, obj) if chosen else pdfs.standard_reply(obj)
    return {
        "case_url": reverse("workflow:case", args=[obj.case_id]) if obj.case_id else "",
        "reply_form": complaints.ReplyForm(initial={"reply_text": text}, complaint=obj)
        if may_reply
        else None,
        "reply_letters": letters,
        "reply_letter_chosen": chosen,
        "letter_url": reverse("interactions:reply_letter", args=[obj.pk])
        if obj.approved_at is not None
        else "",
    }


def survey_report_context(request: HttpRequest, obj: SurveyReport) -> dict[str, Any]:
    """The report's figures as kept, its case, the PDF and, for a draft or a returned
    report, sending it to the general manager."""
    figures = obj.figures or {}
    may_submit = obj.status in (ReportStatus.DRAFT, ReportStatus.RETURNED) and policy.has_perm(
        request.user, "interactions.surveyreport.change", obj
    )
    return {
        "report_overall": figures.get("overall", []),
        "report_units": figures.get("units", []),
        "report_comments": figures.get("comments", []),
        "case_url": reverse("workflow:case", args=[obj.case_id]) if obj.case_id else "",
        "pdf_url": reverse("interactions:survey_report_pdf", args=[obj.pk]),
        "submit_url": reverse("interactions:survey_report_submit", args=[obj.pk])
        if may_submit
        else "",
    }


def survey_context(request: HttpRequest, obj: Survey) -> dict[str, Any]:
    """The survey page: its answers, and the answering link for whoever records them."""
    user = request.user
    may_answer = obj.status == SurveyStatus.SENT and (
        obj.assignee_id == getattr(user, "pk", None)
        or policy.has_perm(user, "interactions.survey.change", obj)
    )
    return {
        "survey_answers": list(obj.answers.select_related("item").order_by("item__order")),
        "answer_url": reverse("interactions:survey_answer", args=[obj.pk]) if may_answer else "",
    }


def research_context(request: HttpRequest, obj: CustomerResearch) -> dict[str, Any]:
    """The research page: both parts as tables, how complete they are, and the author's
    signature, the head's evaluation and voiding for whoever may do them."""
    user = request.user
    may_evaluate = obj.voided_at is None and policy.has_perm(
        user, "interactions.customerresearch.evaluate", obj
    )
    return {
        "completion": research.completion(obj),
        "personal_keys": list(research.PERSONAL.items()),
        "supplier_keys": list(research.SUPPLIER.items()),
        "may_sign": obj.signed_at is None
        and obj.voided_at is None
        and obj.author_id == getattr(user, "pk", None),
        "may_evaluate": may_evaluate and obj.signed_at is not None and obj.evaluated_at is None,
        "may_void": may_evaluate,
    }


def visit_context(request: HttpRequest, obj: VisitPlan) -> dict[str, Any]:
    """Whether the reader may record the visit as done (its account manager or the head)."""
    user = request.user
    may = obj.status == VisitStatus.PLANNED and (
        obj.planner_id == getattr(user, "pk", None)
        or policy.has_perm(user, "interactions.visitplan.change", obj)
    )
    return {"may_record_visit": may}
