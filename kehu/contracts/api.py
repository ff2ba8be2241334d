"""Contracts in the API beyond the generated record endpoints (`/api/v1/contracts/`,
`/api/v1/projects/`, `/api/v1/contract-checklist/`): a contract's status steps and
disputes."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, StreamingHttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint, invalid
from kehu.audit.services import record
from kehu.contracts import (
    annual,
    checklist,
    departments,
    handovers,
    selectors,
    services,
    statistics,
)
from kehu.contracts.forms import AttachForm
from kehu.contracts.handovers import ReceiptForm
from kehu.contracts.models import (
    Contract,
    ContractStatus,
    Handover,
    HandoverStage,
    ReportKind,
    StatisticsReport,
)
from kehu.contracts.serializers import ContractSerializer
from kehu.core import storage
from kehu.generic.services import StaleEditError
from kehu.infra.file_headers import protect


class TransitionSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ContractStatus.choices)
    on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class DisputeSerializer(serializers.Serializer[Any]):
    on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField()


class ContractActionView(Endpoint):
    def contract(self, pk: int) -> Contract:
        contract = self.get_visible(selectors.contract_rows(), pk)
        self.require("contracts.contract.transition", contract)
        return contract

    def answer(self, request: Request, contract: Contract) -> Response:
        return Response(ContractSerializer(contract, context={"request": request}).data)


class ContractTransitionView(ContractActionView):
    @extend_schema(request=TransitionSerializer, responses=ContractSerializer)
    def post(self, request: Request, pk: int) -> Response:
        contract = self.contract(pk)
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            updated = services.contract_transition(
                contract,
                data.validated_data["status"],
                by=request.user,
                on=data.validated_data.get("on"),
                reason=data.validated_data["reason"],
                expected_version=data.validated_data.get("version"),
            )
        except StaleEditError as error:
            return Response(
                {"detail": str(error), "changes": error.changes}, status=status.HTTP_409_CONFLICT
            )
        except DjangoValidationError as error:
            raise invalid(error) from None
        return self.answer(request, updated)


class ContractDisputeView(ContractActionView):
    @extend_schema(request=DisputeSerializer, responses=ContractSerializer)
    def post(self, request: Request, pk: int) -> Response:
        contract = self.contract(pk)
        data = DisputeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            updated = services.contract_mark_disputed(
                contract,
                by=request.user,
                reason=data.validated_data["reason"],
                on=data.validated_data.get("on"),
            )
        except DjangoValidationError as error:
            raise invalid(error) from None
        return self.answer(request, updated)


class ContractChecklistEntrySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the item's, not the field's
    required = serializers.BooleanField()  # type: ignore[assignment]  # the item's
    state = serializers.ChoiceField(choices=["ok", "missing", "optional"])
    document_versions = serializers.ListField(child=serializers.IntegerField())


class AttachSerializer(serializers.Serializer[Any]):
    doc_type = serializers.CharField(help_text="the dossier item's document type code")
    file = serializers.FileField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


def checklist_data(contract: Contract) -> list[dict[str, Any]]:
    return [
        {
            "code": e.code,
            "label": e.label,
            "required": e.required,
            "state": e.state,
            "document_versions": [d.version_id for d in e.filed],
        }
        for e in checklist.evaluate(contract)
    ]


class ContractChecklistView(Endpoint):
    """The contract's dossier checklist; POST files a document as one of its items."""

    @extend_schema(responses=ContractChecklistEntrySerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        contract = self.get_visible(selectors.contract_rows(), pk)
        return Response(checklist_data(contract))

    @extend_schema(
        request={"multipart/form-data": AttachSerializer},
        responses=ContractChecklistEntrySerializer(many=True),
    )
    def post(self, request: Request, pk: int) -> Response:
        contract = self.get_visible(selectors.contract_rows(), pk)
        self.require("contracts.contract.attach", contract)
        data = AttachSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        form = AttachForm(
            {"doc_type": data.validated_data["doc_type"], "note": data.validated_data["note"]},
            {"file": data.validated_data["file"]},
            contract=contract,
        )
        if not form.is_valid():
            raise exceptions.ValidationError(
                {k: [str(m) for m in v] for k, v in form.errors.items()}
            )
        try:
            services.contract_document_attach(
                contract,
                form.cleaned_data["doc_type"],
                form.cleaned_data["file"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(checklist_data(contract), status=status.HTTP_201_CREATED)


class HandoverSerializer(serializers.ModelSerializer[Handover]):
    handed_by = serializers.CharField(
        source="handed_by.username", read_only=True, default=None, allow_null=True
    )
    received_by = serializers.CharField(
        source="received_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Handover
        fields = [
            "id", "contract", "stage", "occasion", "occasion_on", "due_on", "status",
            "handed_by", "received_by", "received_at", "items", "note", "step", "version",
        ]  # fmt: skip
        read_only_fields = fields


class ReceiptSerializer(serializers.Serializer[Any]):
    items = serializers.ListField(
        child=serializers.CharField(), help_text="codes of the dossier items handed over"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ContractHandoversView(Endpoint):
    """The hand-overs of a contract's dossier, oldest first."""

    @extend_schema(responses=HandoverSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        contract = self.get_visible(selectors.contract_rows(), pk)
        rows = selectors.contract_handovers(contract)
        return Response(HandoverSerializer(rows, many=True).data)


class HandoverReceiptView(Endpoint):
    """The receiver confirms a hand-over with the items received."""

    @extend_schema(request=ReceiptSerializer, responses=HandoverSerializer)
    def post(self, request: Request, pk: int) -> Response:
        handover = self.get_or_404(selectors.handover_rows(), pk)
        # A hand-over is seen with its contract.
        contract = self.get_visible(selectors.contract_rows(), handover.contract_id)
        self.require(selectors.RECEIVE_PERMISSION[HandoverStage(handover.stage)], contract)
        data = ReceiptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        form = ReceiptForm(data.validated_data, contract=contract)
        try:
            received = handovers.handover_receive(handover, by=request.user, form=form)
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(HandoverSerializer(received).data)


class StatisticsReportSerializer(serializers.ModelSerializer[StatisticsReport]):
    generated_by = serializers.CharField(
        source="generated_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = StatisticsReport
        fields = [
            "id", "kind", "period_start", "period_end", "number", "due_on", "generated_by",
            "generated_at", "rows", "xlsx_sha256", "pdf_sha256",
        ]  # fmt: skip
        read_only_fields = fields


class GenerateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ReportKind.choices, default=ReportKind.SEMIANNUAL)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    half = serializers.ChoiceField(
        choices=[1, 2], required=False, help_text="The half-year of the semi-annual statistics."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["kind"] == ReportKind.SEMIANNUAL and not attrs.get("half"):
            raise serializers.ValidationError({"half": [_("Choose the half-year.")]})
        return attrs


class StatisticsReportsView(Endpoint):
    """The periodic reports kept (the semi-annual contract statistics and the annual
    credit-management analysis report), newest first; POST generates the period's next
    version."""

    required_permissions = {
        "GET": "contracts.statisticsreport.view",
        "POST": "contracts.statisticsreport.add",
    }

    @extend_schema(responses=StatisticsReportSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = StatisticsReport.objects.select_related("generated_by")[:100]
        return Response(StatisticsReportSerializer(rows, many=True).data)

    @extend_schema(request=GenerateSerializer, responses=StatisticsReportSerializer)
    def post(self, request: Request) -> Response:
        data = GenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["kind"] == ReportKind.ANNUAL_CREDIT:
            report = annual.report_generate(values["year"], by=request.user)
        else:
            month = 1 if values["half"] == 1 else 7
            period = statistics.half_year(datetime.date(values["year"], month, 1))
            report = statistics.report_generate(period, by=request.user)
        return Response(StatisticsReportSerializer(report).data, status=status.HTTP_201_CREATED)


class DepartmentStatisticsQuery(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    half = serializers.ChoiceField(choices=[0, 1, 2], required=False, default=0)


class DepartmentLineSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField()
    currency = serializers.CharField()
    total = serializers.BooleanField()
    signed_n = serializers.IntegerField()
    signed_amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    completed_n = serializers.IntegerField()
    completed_amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    changed_n = serializers.IntegerField()
    terminated_n = serializers.IntegerField()
    disputed_n = serializers.IntegerField()
    prev_signed_n = serializers.IntegerField()
    prev_signed_amount = serializers.DecimalField(max_digits=18, decimal_places=2)


class DepartmentStatisticsView(Endpoint):
    """RPT-2: contract statistics per department of the reader's departments, for a year
    (`half` 0) or a half-year (1, 2), with the previous period's signings."""

    required_permissions = {"GET": departments.PERMISSION}

    @extend_schema(
        parameters=[DepartmentStatisticsQuery], responses=DepartmentLineSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        query = DepartmentStatisticsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        period = departments.span(values["year"], values["half"] or None)
        rows = departments.table(request.user, period)
        return Response(DepartmentLineSerializer(rows, many=True).data)


class StatisticsFileView(Endpoint):
    """A kept report's Excel or PDF file."""

    required_permissions = {"GET": "contracts.statisticsreport.view"}

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, pk: int, kind: str) -> StreamingHttpResponse:
        report = self.get_or_404(StatisticsReport.objects.all(), pk)
        if kind not in ("xlsx", "pdf"):
            raise Http404
        name = report.xlsx_name if kind == "xlsx" else report.pdf_name
        content_type = statistics.XLSX if kind == "xlsx" else "application/pdf"
        record("contracts.statisticsreport.download", report, extra={"file": kind, "via": "api"})
        response = StreamingHttpResponse(storage.iter_plain(name), content_type=content_type)
        filename = statistics.filename(report, kind)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        protect(response, content_type)
        return response


urlpatterns = [
    path("contract-statistics/", StatisticsReportsView.as_view(), name="contract_statistics"),
    path(
        "contract-statistics/departments/",
        DepartmentStatisticsView.as_view(),
        name="contract_department_statistics",
    ),
    path(
        "contract-statistics/<int:pk>/<str:kind>/",
        StatisticsFileView.as_view(),
        name="contract_statistics_file",
    ),
    path(
        "contracts/<int:pk>/handovers/", ContractHandoversView.as_view(), name="contract_handovers"
    ),
    path(
        "contract-handovers/<int:pk>/receipt/",
        HandoverReceiptView.as_view(),
        name="handover_receipt",
    ),
    path(
        "contracts/<int:pk>/checklist/", ContractChecklistView.as_view(), name="contract_checklist"
    ),
    path(
        "contracts/<int:pk>/transition/",
        ContractTransitionView.as_view(),
        name="contract_transition",
    ),
    path("contracts/<int:pk>/dispute/", ContractDisputeView.as_view(), name="contract_dispute"),
]
