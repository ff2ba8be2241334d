"""Customer actions in the API beyond the generic record endpoints: lifecycle steps,
completeness, duplicates and merge, change requests. Same services and policy as the pages."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint, invalid
from kehu.customers import changes, completeness, duplicates, selectors, services
from kehu.customers.changes import shown_changes
from kehu.customers.models import ChangeRequest, Customer, CustomerStatus
from kehu.customers.serializers import CustomerSerializer
from kehu.customers.views import FILING_ONLY
from kehu.generic.jobs import start_job
from kehu.generic.services import StaleEditError
from kehu.infra.uploads import safe_name


class StatusChangeSerializer(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=CustomerStatus.choices)
    reason = serializers.CharField()
    version = serializers.IntegerField(required=False)


class MergeSerializer(serializers.Serializer[Any]):
    other = serializers.IntegerField(help_text="The customer to merge into this one.")
    reason = serializers.CharField()


class ChangeRequestSerializer(serializers.ModelSerializer[ChangeRequest]):
    proposer = serializers.CharField(
        source="proposer.username", read_only=True, default=None, allow_null=True
    )
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )
    has_attachment = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField(help_text="{field: [before, after]}, masked.")

    class Meta:
        model = ChangeRequest
        fields = [
            "id", "customer", "proposer", "declared_name", "changes", "reason", "status",
            "has_attachment",
            "decided_by", "decided_at", "decision_note", "created_at", "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_has_attachment(self, obj: ChangeRequest) -> bool:
        return bool(obj.attachment)

    def get_changes(self, obj: ChangeRequest) -> dict[str, list[Any]]:
        return shown_changes(obj)


class ProposalSerializer(serializers.Serializer[Any]):
    changes = serializers.JSONField(help_text='Proposed values by field, e.g. {"phone": "…"}.')
    reason = serializers.CharField()
    attachment = serializers.FileField(required=False)


class DecisionSerializer(serializers.Serializer[Any]):
    accept = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CustomerActionView(Endpoint):
    # An action on one customer the user may see.

    def customer(self, pk: int) -> Customer:
        return self.get_visible(Customer.objects.select_related("unit"), pk)


class CustomerStatusView(CustomerActionView):
    @extend_schema(request=StatusChangeSerializer, responses=CustomerSerializer)
    def post(self, request: Request, pk: int) -> Response:
        customer = self.customer(pk)
        data = StatusChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = data.validated_data["to_status"]
        if selectors.filing_step_asked(request.user, customer, target):
            raise exceptions.ValidationError(
                {"to_status": [str(FILING_ONLY) + " (POST /api/v1/filings/)"]}
            )
        allowed = {t["to"] for t in selectors.transitions_for(request.user, customer)}
        if target not in allowed and (customer.status, target) in services.TRANSITIONS:
            raise exceptions.PermissionDenied()
        try:
            updated = services.change_status(
                customer,
                target,
                data.validated_data["reason"],
                request.user,
                data.validated_data.get("version"),
            )
        except StaleEditError as error:
            return Response(
                {"detail": str(error), "changes": error.changes}, status=status.HTTP_409_CONFLICT
            )
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(CustomerSerializer(updated, context={"request": request}).data)


class CustomerCompletenessView(CustomerActionView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request, pk: int) -> Response:
        result = completeness.assess(self.customer(pk))
        return Response(
            {
                "percent": result.percent,
                "missing": [
                    {"item": i.key, "label": i.label, "note": i.note} for i in result.missing
                ],
                "rule": str(completeness.EXACTNESS_RULE),
            }
        )


class CustomerDuplicatesView(CustomerActionView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request, pk: int) -> Response:
        customer = self.customer(pk)
        # Another customer outside the reader's scope is named by its department only (the
        # flag's detail lists that customer's phones, masked, or its legal representative).
        return Response(
            [
                {
                    "flag": f["flag"].pk,
                    "customer": f["other"].pk if f["visible"] else None,
                    "name": f["other"].name if f["visible"] else None,
                    "department": f["unit"],
                    "reason": f["flag"].reason,
                    "detail": f["flag"].detail if f["visible"] else "",
                }
                for f in duplicates.open_flags(customer, request.user)
            ]
        )


class CustomerMergeView(CustomerActionView):
    @extend_schema(request=MergeSerializer, responses=CustomerSerializer)
    def post(self, request: Request, pk: int) -> Response:
        survivor = self.customer(pk)
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = self.customer(data.validated_data["other"])
        self.require("customers.customer.merge", survivor)
        self.require("customers.customer.merge", other)
        try:
            merged = duplicates.merge(survivor, other, data.validated_data["reason"], request.user)
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(CustomerSerializer(merged, context={"request": request}).data)


class CustomerChangeRequestsView(CustomerActionView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=ChangeRequestSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        customer = self.customer(pk)
        rows = ChangeRequest.objects.filter(customer=customer).select_related(
            "proposer", "decided_by"
        )
        return Response(ChangeRequestSerializer(rows, many=True).data)

    @extend_schema(request=ProposalSerializer, responses={201: ChangeRequestSerializer})
    def post(self, request: Request, pk: int) -> Response:
        customer = self.customer(pk)
        self.require("customers.changerequest.add", customer)
        data = ProposalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data["changes"]
        if isinstance(values, str):  # multipart: the changes arrive as a JSON string
            values = json.loads(values)
        if not isinstance(values, dict):
            raise exceptions.ValidationError({"changes": ["Send an object of field: value."]})
        unknown = set(values) - set(changes.PROPOSABLE)
        if unknown:
            raise exceptions.ValidationError({"changes": [f"Not proposable: {sorted(unknown)}"]})
        try:
            created = changes.change_request_propose(
                customer,
                request.user,
                values,
                data.validated_data["reason"],
                data.validated_data.get("attachment"),
            )
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(ChangeRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class ChangeRequestDecisionView(CustomerActionView):
    @extend_schema(request=DecisionSerializer, responses=ChangeRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        change = self.get_visible(ChangeRequest.objects.select_related("customer"), pk)
        self.require("customers.changerequest.decide", change)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            decided = changes.change_request_decide(
                change,
                by=request.user,
                accept=data.validated_data["accept"],
                note=data.validated_data["note"],
            )
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(ChangeRequestSerializer(decided).data)


class RosterImportSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="An .xlsx workbook or a .csv file (UTF-8 or GBK).")
    unit = serializers.IntegerField(help_text="The department the new customers belong to.")
    dry_run = serializers.BooleanField(default=True, help_text="Only check; save nothing.")
    good_rows_only = serializers.BooleanField(default=False)


class RosterImportView(Endpoint):
    """Start a roster check (dry run) or import as a background job (follow it under
    /api/v1/jobs/<id>/; the error report is its result file)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=RosterImportSerializer, responses={202: None})
    def post(self, request: Request) -> Response:
        from kehu.customers.roster import services as roster

        units = roster.import_units(request.user)  # type: ignore[arg-type]
        if not units.exists():
            raise exceptions.PermissionDenied()
        data = RosterImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = units.filter(pk=data.validated_data["unit"]).first()
        if unit is None:
            raise exceptions.PermissionDenied()
        upload = data.validated_data["file"]
        name = safe_name(upload.name)
        params = {
            "unit": unit.pk,
            "dry_run": data.validated_data["dry_run"],
            "good_rows_only": data.validated_data["good_rows_only"],
        }
        job = start_job(
            request.user, "customers.import", name, params, input_file=(name, upload.read())
        )
        return Response({"job": job.pk, "state": job.state}, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("customer-imports/", RosterImportView.as_view()),
    path("customers/<int:pk>/status/", CustomerStatusView.as_view()),
    path("customers/<int:pk>/merge/", CustomerMergeView.as_view()),
    path("customers/<int:pk>/duplicates/", CustomerDuplicatesView.as_view()),
    path("customers/<int:pk>/completeness/", CustomerCompletenessView.as_view()),
    path("customers/<int:pk>/change-requests/", CustomerChangeRequestsView.as_view()),
    path("change-requests/<int:pk>/decision/", ChangeRequestDecisionView.as_view()),
]
