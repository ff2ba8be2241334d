"""The interaction record types in the API: the same field names as the forms, `version`
for optimistic locking; the personal note only for who may read it."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kehu.interactions.models import (
    Complaint,
    ComplaintReplyTemplate,
    CorrectiveAction,
    CustomerResearch,
    Interaction,
    Purchase,
    ServiceTicket,
    Survey,
    SurveyItem,
    SurveyReport,
    SurveyTemplate,
    VisitPlan,
)
from kehu.interactions.personal import personal_note_visible


class InteractionSerializer(serializers.ModelSerializer[Interaction]):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    author_name = serializers.CharField(source="author.username", read_only=True)
    submitted_by = serializers.HiddenField(default=serializers.CurrentUserDefault())

    class Meta:
        model = Interaction
        fields = [
            "id", "customer", "customer_name", "occurred_at", "ended_at", "channel", "subject",
            "our_participants", "contacts", "content", "needs", "follow_up", "follow_up_due",
            "follow_up_owner", "follow_up_done_at", "project_ref", "personal_note", "submitted_by",
            "author_name", "version",
        ]  # fmt: skip
        read_only_fields = ["id", "follow_up_done_at", "version"]

    def to_representation(self, instance: Interaction) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if data.get("personal_note") and not personal_note_visible(user, instance):
            data["personal_note"] = ""
        return data


class ComplaintSerializer(serializers.ModelSerializer[Complaint]):
    """A complaint: recorded fields writable; what the handling case wrote, read-only."""

    customer_name = serializers.CharField(source="customer.name", read_only=True)
    submitted_by = serializers.HiddenField(default=serializers.CurrentUserDefault())

    class Meta:
        model = Complaint
        fields = [
            "id", "number", "customer", "customer_name", "received_on", "channel", "content",
            "category", "route", "handling_unit", "production_unit", "status", "measures",
            "production_opinion", "result", "approved_by", "approved_at", "reply_text",
            "replied_at", "replied_by", "confirmed_at", "confirmation_note", "case",
            "submitted_by", "version",
        ]  # fmt: skip
        read_only_fields = [
            "id", "number", "status", "measures", "production_opinion", "result", "approved_by",
            "approved_at", "reply_text", "replied_at", "replied_by", "confirmed_at",
            "confirmation_note", "case", "version",
        ]  # fmt: skip


class SurveyTemplateSerializer(serializers.ModelSerializer[SurveyTemplate]):
    class Meta:
        model = SurveyTemplate
        fields = ["id", "name", "kind", "is_active", "round_month", "note", "version"]
        read_only_fields = ["id", "version"]


class SurveyItemSerializer(serializers.ModelSerializer[SurveyItem]):
    class Meta:
        model = SurveyItem
        fields = ["id", "template", "order", "label", "scale", "target", "version"]
        read_only_fields = ["id", "version"]


class SurveySerializer(serializers.ModelSerializer[Survey]):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    submitted_by = serializers.HiddenField(default=serializers.CurrentUserDefault())

    class Meta:
        model = Survey
        fields = [
            "id", "template", "customer", "customer_name", "year", "assignee", "due_date",
            "status", "answered_on", "respondent", "comment", "submitted_by", "version",
        ]  # fmt: skip
        read_only_fields = ["id", "assignee", "status", "answered_on", "comment", "version"]


class CorrectiveActionSerializer(serializers.ModelSerializer[CorrectiveAction]):
    submitted_by = serializers.HiddenField(default=serializers.CurrentUserDefault())

    class Meta:
        model = CorrectiveAction
        fields = [
            "id", "item", "year", "unit", "measured", "target", "description", "owner",
            "due_date", "status", "submitted_by", "version",
        ]  # fmt: skip
        read_only_fields = ["id", "version"]


class SurveyReportSerializer(serializers.ModelSerializer[SurveyReport]):
    """A report with its figures as submitted; the approval goes through the workflow's
    tasks API."""

    submitted_by = serializers.HiddenField(default=serializers.CurrentUserDefault())

    class Meta:
        model = SurveyReport
        fields = [
            "id", "number", "template", "year", "unit", "analysis", "figures", "status",
            "author", "submitted_at", "approved_by", "approved_at", "return_reason",
            "submitted_by", "version",
        ]  # fmt: skip
        read_only_fields = [
            "id", "number", "figures", "status", "author", "submitted_at", "approved_by",
            "approved_at", "return_reason", "version",
        ]  # fmt: skip


class ComplaintReplyTemplateSerializer(serializers.ModelSerializer[ComplaintReplyTemplate]):
    class Meta:
        model = ComplaintReplyTemplate
        fields = ["id", "title", "route", "body", "is_active", "version"]
        read_only_fields = ["id", "version"]


class ResearchSerializer(serializers.ModelSerializer[CustomerResearch]):
    """Research with its decision-makers and suppliers as lists; signing, evaluating and
    voiding are pages' actions."""

    customer_name = serializers.CharField(source="customer.name", read_only=True)
    submitted_by = serializers.HiddenField(default=serializers.CurrentUserDefault())

    class Meta:
        model = CustomerResearch
        fields = [
            "id", "customer", "customer_name", "researched_on", "decision_makers", "suppliers",
            "demand_analysis", "entry_points", "action_plan", "author", "signed_at",
            "evaluation", "evaluated_by", "evaluated_at", "voided_at", "void_reason",
            "submitted_by", "version",
        ]  # fmt: skip
        read_only_fields = [
            "id", "author", "signed_at", "evaluation", "evaluated_by", "evaluated_at",
            "voided_at", "void_reason", "version",
        ]  # fmt: skip


class VisitPlanSerializer(serializers.ModelSerializer[VisitPlan]):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    submitted_by = serializers.HiddenField(default=serializers.CurrentUserDefault())

    class Meta:
        model = VisitPlan
        fields = [
            "id", "customer", "customer_name", "kind", "planned_on", "purpose", "planner",
            "status", "communication", "submitted_by", "version",
        ]  # fmt: skip
        read_only_fields = ["id", "planner", "status", "communication", "version"]


class TicketSerializer(serializers.ModelSerializer[ServiceTicket]):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    submitted_by = serializers.HiddenField(default=serializers.CurrentUserDefault())

    class Meta:
        model = ServiceTicket
        fields = [
            "id", "customer", "customer_name", "problem_type", "description", "handler",
            "handler_staff_no", "started_at", "ended_at", "steps", "status", "solution",
            "satisfaction", "sla_hours", "due_at", "breached", "submitted_by", "version",
        ]  # fmt: skip
        read_only_fields = ["id", "due_at", "breached", "version"]


class PurchaseSerializer(serializers.ModelSerializer[Purchase]):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    submitted_by = serializers.HiddenField(default=serializers.CurrentUserDefault())

    class Meta:
        model = Purchase
        fields = [
            "id", "customer", "customer_name", "purchased_on", "product", "quantity",
            "unit_price", "amount", "order_number", "note", "submitted_by", "version",
        ]  # fmt: skip
        read_only_fields = ["id", "version"]
        extra_kwargs = {"amount": {"required": False}}
