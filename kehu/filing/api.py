"""Filing in the API: open a filing for an existing or a new customer, read a filing
with its steps and checklist. Steps are completed through the workflow's tasks API
(`POST /api/v1/tasks/{id}/complete/`); the customer's `status` shows where it stands."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import path
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint, invalid
from kehu.api.pagination import KeysetPagination
from kehu.customers import services as customer_services
from kehu.customers.api import CustomerActionView
from kehu.customers.selectors import customer_rows
from kehu.customers.serializers import CustomerSerializer
from kehu.filing import checklist, monitoring, selectors, services
from kehu.filing.models import Filing, ItemCheck, RiskReport, WatchListHit
from kehu.generic.services import StaleEditError
from kehu.workflow.api import StepSerializer
from kehu.workflow.services import WorkflowError


class ChecklistEntrySerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the item's, not the field's
    kind = serializers.CharField()
    state = serializers.ChoiceField(choices=["ok", "missing", "expired"])
    detail = serializers.CharField()


class ItemCheckSerializer(serializers.ModelSerializer[ItemCheck]):
    checked_by = serializers.CharField(source="checked_by.username")

    class Meta:
        model = ItemCheck
        fields = ["review", "key", "label", "result", "explanation", "checked_by", "checked_at"]


class RiskReportSerializer(serializers.ModelSerializer[RiskReport]):
    author = serializers.CharField(source="author.username")

    class Meta:
        model = RiskReport
        fields = [
            "risk_level", "findings", "measures", "conclusion", "document_version", "author",
            "created_at",
        ]  # fmt: skip


class FilingSerializer(serializers.ModelSerializer[Filing]):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_status = serializers.CharField(source="customer.status", read_only=True)
    opened_by = serializers.CharField(source="opened_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)
    checklist = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    checks = ItemCheckSerializer(many=True, read_only=True)
    risk_report = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = [
            "id", "number", "customer", "customer_name", "customer_status", "unit", "stage",
            "high_risk", "risk_flags", "declared_address_changes", "opened_by", "created_at",
            "collected_at", "outcome_reason", "decided_by", "decided_at", "case", "checklist",
            "steps", "checks", "risk_report", "signatory_is_legal_rep", "signatory_name",
            "version",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ChecklistEntrySerializer(many=True))
    def get_checklist(self, filing: Filing) -> Any:
        entries = checklist.evaluate(filing.customer, filing=filing)
        return ChecklistEntrySerializer(entries, many=True).data

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, filing: Filing) -> Any:
        if filing.case is None:
            return []
        steps = filing.case.steps.select_related(
            "case", "assignee_user", "assignee_unit", "completed_by"
        ).order_by("pk")
        return StepSerializer(steps, many=True).data

    @extend_schema_field(RiskReportSerializer(allow_null=True))
    def get_risk_report(self, filing: Filing) -> dict[str, Any] | None:
        report = getattr(filing, "risk_report", None)
        return RiskReportSerializer(report).data if report is not None else None


class OpenFilingSerializer(serializers.Serializer[Any]):
    customer = serializers.IntegerField(
        required=False, help_text="An existing customer (a prospect) to file."
    )
    new_customer = serializers.DictField(
        required=False, help_text="A new customer's data (as POST /api/v1/customers/)."
    )
    declared_address_changes = serializers.IntegerField(required=False, min_value=0, default=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("customer" in attrs) == ("new_customer" in attrs):
            raise serializers.ValidationError("Give either customer or new_customer.")
        return attrs


class FilingListView(CustomerActionView):
    required_permissions = {"GET": "filing.filing.view", "POST": "filing.filing.add"}

    @extend_schema(
        operation_id="filings_list",
        parameters=[
            OpenApiParameter("stage", str, description="Only filings at this stage."),
            OpenApiParameter("customer", int, description="Only this customer's filings."),
            OpenApiParameter("size", int, description="Rows per page (default 50, at most 500)."),
            OpenApiParameter("after", str, description="The `next` link's cursor."),
            OpenApiParameter("before", str, description="The `previous` link's cursor."),
        ],
        responses=inline_serializer(
            "PaginatedFilingList",
            {
                "count": serializers.IntegerField(),
                "count_capped": serializers.BooleanField(required=False),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": FilingSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        """The filings the caller may see, newest first, in keyset pages like every list."""
        rows = selectors.visible_filings(request.user)
        if request.query_params.get("stage"):
            rows = rows.filter(stage=request.query_params["stage"])
        if request.query_params.get("customer", "").isdigit():
            rows = rows.filter(customer_id=int(request.query_params["customer"]))
        paginator = KeysetPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(FilingSerializer(page, many=True).data)

    def sort_key(self, request: Request) -> str:
        return "-created_at"  # what KeysetPagination pages by

    @extend_schema(request=OpenFilingSerializer, responses={201: FilingSerializer})
    def post(self, request: Request) -> Response:
        data = OpenFilingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        declared = values["declared_address_changes"]
        try:
            if "customer" in values:
                customer = self.customer(values["customer"])
                self.require("customers.customer.change", customer)
                filing = services.open_filing(
                    customer, by=request.user, declared_address_changes=declared
                )
            else:
                self.require("customers.customer.add")
                new = CustomerSerializer(data=values["new_customer"], context={"request": request})
                if not new.is_valid():
                    raise exceptions.ValidationError({"new_customer": new.errors})
                customer_services.check_unique_before_saving(dict(new.validated_data))
                with transaction.atomic():
                    filing = services.create_and_open(
                        dict(new.validated_data), by=request.user,
                        declared_address_changes=declared,
                    )  # fmt: skip
        except DjangoValidationError as error:
            raise invalid(error) from None
        except WorkflowError as error:
            raise exceptions.ValidationError({"detail": str(error)}) from None
        return Response(FilingSerializer(filing).data, status=status.HTTP_201_CREATED)


class FilingDetailView(Endpoint):
    @extend_schema(responses=FilingSerializer)
    def get(self, request: Request, pk: int) -> Response:
        filing = self.get_visible(
            Filing.objects.select_related("customer", "customer__owner", "unit", "opened_by"), pk
        )
        return Response(FilingSerializer(filing).data)


class SignatorySerializer(serializers.Serializer[Any]):
    signatory_is_legal_rep = serializers.BooleanField()
    signatory_name = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class FilingSignatoryView(Endpoint):
    """Who signs for the customer (FIL-9): an agent brings the power of attorney onto the
    checklist."""

    @extend_schema(request=SignatorySerializer, responses=FilingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        filing = self.get_visible(Filing.objects.select_related("customer", "unit"), pk)
        data = SignatorySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            updated = services.filing_set_signatory(
                filing, by=request.user, legal_rep=values["signatory_is_legal_rep"],
                name=values["signatory_name"], expected_version=values["version"],
            )  # fmt: skip
        except StaleEditError as error:
            return Response(
                {"detail": str(error), "changes": error.changes}, status=status.HTTP_409_CONFLICT
            )
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(FilingSerializer(updated).data)


class WatchListHitSerializer(serializers.ModelSerializer[WatchListHit]):
    entry_name = serializers.CharField(source="entry.name", read_only=True)
    list_kind = serializers.CharField(source="entry.list_kind", read_only=True)
    cleared_by = serializers.CharField(
        source="cleared_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = WatchListHit
        fields = [
            "id",
            "customer",
            "entry",
            "entry_name",
            "list_kind",
            "matched_by",
            "found_at",
            "cleared_at",
            "cleared_by",
            "clear_reason",
        ]
        read_only_fields = fields


class ClearHitSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class CustomerWatchListHitsView(Endpoint):
    """A customer's watch-list hits (ongoing monitoring), open and cleared."""

    @extend_schema(responses=WatchListHitSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        customer = self.get_visible(customer_rows(), pk)
        hits = customer.watch_list_hits.select_related("entry", "cleared_by")
        return Response(WatchListHitSerializer(hits, many=True).data)


class WatchListHitClearView(Endpoint):
    required_permissions = {"POST": "filing.watchlisthit.change"}

    @extend_schema(request=ClearHitSerializer, responses=WatchListHitSerializer)
    def post(self, request: Request, pk: int) -> Response:
        hit = self.get_or_404(WatchListHit.objects.select_related("entry"), pk)
        self.get_visible(customer_rows(), hit.customer_id)
        data = ClearHitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            cleared = monitoring.clear_hit(hit, request.user, data.validated_data["reason"])
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(WatchListHitSerializer(cleared).data)


urlpatterns = [
    path("filings/", FilingListView.as_view(), name="filings"),
    path("filings/<int:pk>/", FilingDetailView.as_view(), name="filing"),
    path("filings/<int:pk>/signatory/", FilingSignatoryView.as_view(), name="filing_signatory"),
    path("customers/<int:pk>/watch-list-hits/", CustomerWatchListHitsView.as_view()),
    path("watch-list-hits/<int:pk>/clear/", WatchListHitClearView.as_view()),
]
