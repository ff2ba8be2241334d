"""The archives in the API (issue 7) beyond the generic record endpoints (archive-categories,
dossiers, archive-items, cabinets): cabinet checks, holds, borrowing, disposition and the
destruction register. Approvals go through the workflow's tasks API. Same services,
selectors and policy as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.fields import error_detail
from kehu.api.viewsets import AuditedAPIView
from kehu.archives import loans, retention, selectors, services, transfers
from kehu.archives.models import (
    Cabinet,
    CabinetCheck,
    Destruction,
    DestructionMethod,
    DossierItem,
    Hold,
    IncidentKind,
    Loan,
    LoanKind,
    Transfer,
)
from kehu.core import policy
from kehu.core.models import User


def _invalid(error: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(error_detail(error))


class ArchiveView(AuditedAPIView):
    permission_classes = [permissions.IsAuthenticated]

    def require(self, request: Request, perm: str, obj: Any = None) -> None:
        if not policy.has_perm(request.user, perm, obj):
            raise exceptions.PermissionDenied()


class CheckSerializer(serializers.ModelSerializer[CabinetCheck]):
    checked_by = serializers.CharField(source="checked_by.username", read_only=True)

    class Meta:
        model = CabinetCheck
        fields = ["id", "cabinet", "checked_on", "checked_by", "lock_ok", "damp_ok", "note"]
        read_only_fields = ["id", "cabinet", "checked_by"]


class CabinetChecksView(ArchiveView):
    @extend_schema(responses=CheckSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        self.require(request, "archives.cabinet.view")
        cabinet = _get(Cabinet.objects.all(), pk)
        return Response(CheckSerializer(cabinet.checks.all(), many=True).data)

    @extend_schema(request=CheckSerializer, responses={201: CheckSerializer})
    def post(self, request: Request, pk: int) -> Response:
        cabinet = _get(Cabinet.objects.all(), pk)
        self.require(request, "archives.cabinet.change", cabinet)
        data = CheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            check = services.record_check(
                cabinet,
                request.user,
                checked_on=values["checked_on"],
                lock_ok=values["lock_ok"],
                damp_ok=values["damp_ok"],
                note=values.get("note", ""),
            )
        except DjangoValidationError as error:
            raise _invalid(error) from None
        return Response(CheckSerializer(check).data, status=status.HTTP_201_CREATED)


def _get(queryset: Any, pk: int) -> Any:
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404 from None


class HoldSerializer(serializers.ModelSerializer[Hold]):
    placed_by = serializers.CharField(source="placed_by.username", read_only=True)
    lifted_by = serializers.CharField(
        source="lifted_by.username", read_only=True, default=None, allow_null=True
    )
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Hold
        fields = [
            "id",
            "dossier",
            "name",
            "reason",
            "active",
            "placed_by",
            "placed_at",
            "lifted_by",
            "lifted_at",
            "lift_reason",
        ]
        read_only_fields = ["id", "dossier", "placed_at", "lifted_at", "lift_reason"]


class LiftSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class DossierHoldsView(ArchiveView):
    @extend_schema(responses=HoldSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        dossier = _get(selectors.visible_dossiers(request.user), pk)
        return Response(HoldSerializer(dossier.holds.all(), many=True).data)

    @extend_schema(request=HoldSerializer, responses={201: HoldSerializer})
    def post(self, request: Request, pk: int) -> Response:
        dossier = _get(selectors.visible_dossiers(request.user), pk)
        self.require(request, "archives.hold.add", dossier)
        data = HoldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            hold = retention.place_hold(dossier, by=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise _invalid(error) from None
        return Response(HoldSerializer(hold).data, status=status.HTTP_201_CREATED)


class HoldLiftView(ArchiveView):
    @extend_schema(request=LiftSerializer, responses=HoldSerializer)
    def post(self, request: Request, pk: int) -> Response:
        hold = _get(Hold.objects.all(), pk)
        dossier = _get(selectors.visible_dossiers(request.user), hold.dossier_id)
        self.require(request, "archives.hold.change", dossier)
        data = LiftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            hold = retention.lift_hold(hold, reason=data.validated_data["reason"], by=request.user)
        except DjangoValidationError as error:
            raise _invalid(error) from None
        return Response(HoldSerializer(hold).data)


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


class LoansView(ArchiveView):
    @extend_schema(responses=LoanSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.visible_loans(request.user)[:500]
        return Response(LoanSerializer(rows, many=True).data)

    @extend_schema(request=LoanRequestSerializer, responses={201: LoanSerializer})
    def post(self, request: Request) -> Response:
        self.require(request, "archives.loan.add")
        data = LoanRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        from kehu.archives.models import Dossier

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
            raise _invalid(error) from None
        return Response(LoanSerializer(loan).data, status=status.HTTP_201_CREATED)


class LoanDetailView(ArchiveView):
    @extend_schema(responses=LoanSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(LoanSerializer(selectors.visible_loan(request.user, pk)).data)


class IncidentSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    report = serializers.CharField()


class LoanActionView(ArchiveView):
    """POST …/renewal/ {"reason"} by the borrower; POST …/incident/ {"kind", "report"}."""

    action = ""

    @extend_schema(request=IncidentSerializer, responses=LoanSerializer)
    def post(self, request: Request, pk: int) -> Response:
        loan = selectors.visible_loan(request.user, pk)
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
                    self.require(request, "archives.loan.change", loan)
                loan = loans.report_incident(loan, by=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise _invalid(error) from None
        return Response(LoanSerializer(loan).data)


class DestructionSerializer(serializers.ModelSerializer[Destruction]):
    items: Any = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="reference_code"
    )
    witnesses: Any = serializers.SlugRelatedField(many=True, read_only=True, slug_field="username")
    approved_by = serializers.CharField(
        source="approved_by.username", read_only=True, default=None, allow_null=True
    )
    executor = serializers.CharField(
        source="executor.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Destruction
        fields = [
            "id",
            "number",
            "status",
            "reason",
            "method",
            "items",
            "approved_by",
            "approved_at",
            "executor",
            "witnesses",
            "executed_on",
            "case_id",
        ]
        read_only_fields = fields


class DestructionProposalSerializer(serializers.Serializer[Any]):
    items = serializers.PrimaryKeyRelatedField(many=True, queryset=DossierItem.objects.all())
    reason = serializers.CharField()
    method = serializers.ChoiceField(choices=DestructionMethod.choices)


class ExecuteSerializer(serializers.Serializer[Any]):
    witnesses = serializers.SlugRelatedField(
        many=True, slug_field="username", queryset=User.objects.filter(is_active=True)
    )
    executed_on = serializers.DateField(required=False)


class DispositionView(ArchiveView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        self.require(request, "archives.destruction.add")
        rows = retention.due_items(selectors.visible_dossiers(request.user, "change"))
        return Response(
            [
                {
                    "item": r["item"].pk,
                    "reference_code": r["item"].reference_code,
                    "archive_number": r["item"].dossier.archive_number,
                    "due": r["due"],
                    "held": r["held"],
                    "pending": r["pending"],
                }
                for r in rows
            ]
        )


class DestructionsView(ArchiveView):
    @extend_schema(responses=DestructionSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.visible_destructions(request.user)[:500]
        return Response(DestructionSerializer(rows, many=True).data)

    @extend_schema(request=DestructionProposalSerializer, responses={201: DestructionSerializer})
    def post(self, request: Request) -> Response:
        self.require(request, "archives.destruction.add")
        data = DestructionProposalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        allowed = selectors.visible_dossiers(request.user, "change")
        items = data.validated_data["items"]
        if any(not allowed.filter(pk=i.dossier_id).exists() for i in items):
            raise exceptions.PermissionDenied()
        try:
            entry = retention.destruction_propose(
                items,
                reason=data.validated_data["reason"],
                method=data.validated_data["method"],
                by=request.user,
            )
        except DjangoValidationError as error:
            raise _invalid(error) from None
        return Response(DestructionSerializer(entry).data, status=status.HTTP_201_CREATED)


class DestructionDetailView(ArchiveView):
    @extend_schema(responses=DestructionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        entry = selectors.visible_destruction(request.user, pk)
        return Response(DestructionSerializer(entry).data)


class DestructionExecuteView(ArchiveView):
    @extend_schema(request=ExecuteSerializer, responses=DestructionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        entry = selectors.visible_destruction(request.user, pk)
        self.require(request, "archives.destruction.execute")
        data = ExecuteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            entry = retention.destruction_execute(
                entry,
                by=request.user,
                witnesses=list(data.validated_data["witnesses"]),
                executed_on=data.validated_data.get("executed_on"),
            )
        except DjangoValidationError as error:
            raise _invalid(error) from None
        return Response(DestructionSerializer(entry).data)


class TransferSerializer(serializers.ModelSerializer[Transfer]):
    archive_number = serializers.CharField(source="dossier.archive_number", read_only=True)
    received_by = serializers.CharField(
        source="received_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Transfer
        fields = [
            "id",
            "dossier",
            "archive_number",
            "from_stage",
            "to_stage",
            "status",
            "due_date",
            "received_by",
            "received_at",
            "note",
        ]
        read_only_fields = fields


class ConfirmSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TransfersView(ArchiveView):
    @extend_schema(responses=TransferSerializer(many=True))
    def get(self, request: Request) -> Response:
        self.require(request, "archives.transfer.view")
        rows = selectors.visible_transfers(request.user)[:500]
        return Response(TransferSerializer(rows, many=True).data)


class TransferConfirmView(ArchiveView):
    @extend_schema(request=ConfirmSerializer, responses=TransferSerializer)
    def post(self, request: Request, pk: int) -> Response:
        transfer = _get(selectors.visible_transfers(request.user), pk)
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            transfer = transfers.transfer_confirm(
                transfer, by=request.user, note=data.validated_data["note"]
            )
        except DjangoValidationError as error:
            raise exceptions.PermissionDenied(" ".join(error.messages)) from None
        return Response(TransferSerializer(transfer).data)
