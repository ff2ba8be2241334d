"""Borrowing in the API: the loans the user may see, requesting one, a renewal, an incident.
Approvals go through the workflow's tasks API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint, invalid
from kehu.archives import loans, selectors
from kehu.archives.api.holds import LiftSerializer
from kehu.archives.models import Dossier, IncidentKind, Loan, LoanKind


class LoanSerializer(serializers.ModelSerializer[Loan]):
    case_number = serializers.CharField(
        source="case.number", read_only=True, default=None, allow_null=True
    )
    archive_number = serializers.CharField(source="dossier.archive_number", read_only=True)
    borrower = serializers.CharField(source="borrower.username", read_only=True)

    class Meta:
        model = Loan
        fields = [
            "id",
            "case",
            "case_number",
            "dossier",
            "archive_number",
            "borrower",
            "purpose",
            "kind",
            "status",
            "approved_at",
            "issued_at",
            "due_date",
            "renewals",
            "returned_at",
            "return_complete",
            "return_undamaged",
            "return_note",
            "incident_kind",
            "incident_report",
            "created_at",
        ]
        read_only_fields = fields


class LoanRequestSerializer(serializers.Serializer[Any]):
    archive_number = serializers.CharField()
    kind = serializers.ChoiceField(choices=LoanKind.choices)
    purpose = serializers.CharField()


class LoansView(Endpoint):
    required_permissions = {"POST": "archives.loan.add"}

    @extend_schema(responses=LoanSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.visible_loans(request.user)[:500]
        return Response(LoanSerializer(rows, many=True).data)

    @extend_schema(request=LoanRequestSerializer, responses={201: LoanSerializer})
    def post(self, request: Request) -> Response:
        data = LoanRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dossier = Dossier.objects.filter(
            archive_number__iexact=data.validated_data["archive_number"].strip()
        ).first()
        if dossier is None:
            raise exceptions.ValidationError({"archive_number": ["No such archive number."]})
        try:
            loan = loans.request_loan(
                dossier=dossier,
                borrower=request.user,
                purpose=data.validated_data["purpose"],
                kind=data.validated_data["kind"],
            )
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(LoanSerializer(loan).data, status=status.HTTP_201_CREATED)


class LoanDetailView(Endpoint):
    @extend_schema(responses=LoanSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            LoanSerializer(self.get_or_404(selectors.visible_loans(request.user), pk)).data
        )


class IncidentSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    report = serializers.CharField()


class LoanActionView(Endpoint):
    """POST …/renewal/ {"reason"} by the borrower; POST …/incident/ {"kind", "report"}."""

    action = ""

    @extend_schema(request=IncidentSerializer, responses=LoanSerializer)
    def post(self, request: Request, pk: int) -> Response:
        loan = self.get_or_404(selectors.visible_loans(request.user), pk)
        try:
            if self.action == "renewal":
                data: Any = LiftSerializer(data=request.data)
                data.is_valid(raise_exception=True)
                loan = loans.request_renewal(
                    loan, by=request.user, reason=data.validated_data["reason"]
                )
            else:
                data = IncidentSerializer(data=request.data)
                data.is_valid(raise_exception=True)
                if loan.borrower_id != request.user.pk:
                    self.require("archives.loan.change", loan)
                loan = loans.report_incident(loan, by=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(LoanSerializer(loan).data)
