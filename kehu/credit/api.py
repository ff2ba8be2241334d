"""The credit file in the API: the one control point (`credit/check`), a customer's credit
summary, and the finance system's receivables and open orders (upserted by number)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint, invalid
from kehu.api.fields import ChineseAmountField, ChineseDateField
from kehu.core import policy
from kehu.core.access import NOT_FOUND
from kehu.credit import limits, receivables
from kehu.credit.exposure import ageing, credit_check
from kehu.credit.models import CreditAccount, LimitRequest
from kehu.credit.selectors import credit_customer, reason_labels
from kehu.customers.models import Customer


class CreditCheckSerializer(serializers.Serializer[Any]):
    customer = serializers.IntegerField(help_text="The customer's number.")
    amount = ChineseAmountField(help_text='The order amount in 元, e.g. 125000.00 or "12.5万".')

    def validate_amount(self, value: Decimal | None) -> Decimal:
        if value is None or value <= 0:
            raise serializers.ValidationError(_("The amount must be greater than zero."))
        if value > receivables.MAX_AMOUNT:
            raise serializers.ValidationError(
                _("The amount is too large; check the figure and its unit.")
            )
        return value


class CreditReasonSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()


class CreditCheckResultSerializer(serializers.Serializer[Any]):
    allowed = serializers.BooleanField()
    status = serializers.CharField(help_text='"allowed" or "held"')
    reasons = CreditReasonSerializer(many=True)
    exposure = serializers.DecimalField(max_digits=18, decimal_places=2)
    limit = serializers.DecimalField(max_digits=18, decimal_places=2)
    available = serializers.DecimalField(max_digits=18, decimal_places=2)
    overdue = serializers.DecimalField(max_digits=18, decimal_places=2)
    overdue_allowed = serializers.DecimalField(max_digits=18, decimal_places=2)
    override_until = serializers.DateField(allow_null=True)


class CheckView(Endpoint):
    """May the customer take an order of this amount? `allowed`, or `held` with reasons."""

    required_permissions = {"POST": "credit.creditaccount.check"}

    @extend_schema(request=CreditCheckSerializer, responses=CreditCheckResultSerializer)
    def post(self, request: Request) -> Response:
        given = CreditCheckSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        pk = given.validated_data["customer"]
        # The account row in the reader's scope answers in one query; a customer without
        # an account yet (no limit) is looked up with its permission check.
        in_scope = CreditAccount.objects.filter(customer_id=pk)
        if not policy.scope(request.user, in_scope, "check").exists():
            credit_customer(request.user, pk, "credit.creditaccount.check")
        result = credit_check(Customer(pk=pk), given.validated_data["amount"])
        data = {
            **result.__dict__,
            "status": "allowed" if result.allowed else "held",
        }
        return Response(CreditCheckResultSerializer(data).data)


class CreditAccountSerializer(serializers.ModelSerializer[CreditAccount]):
    exposure = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    hold_reason_labels = serializers.SerializerMethodField()

    class Meta:
        model = CreditAccount
        fields = [
            "customer", "limit_amount", "payment_days", "overdue_allowed", "temporary_amount",
            "temporary_until", "rating", "open_receivables", "open_orders", "exposure",
            "earliest_due", "held", "hold_reasons", "hold_reason_labels", "held_since",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_hold_reason_labels(self, obj: CreditAccount) -> list[str]:
        return reason_labels(obj.hold_reasons)


class AccountView(Endpoint):
    """A customer's credit account with its ageing (404 outside the reader's scope)."""

    required_permissions = {"GET": "credit.creditaccount.view"}

    @extend_schema(responses=CreditAccountSerializer)
    def get(self, request: Request, pk: int) -> Response:
        customer = credit_customer(request.user, pk)
        account = CreditAccount.objects.filter(customer=customer).first() or CreditAccount(
            customer=customer
        )
        data = CreditAccountSerializer(account).data
        today = timezone.localdate()
        data["ageing"] = {k: str(v) for k, v in ageing([customer.pk], today).items()}
        return Response(data)


class InvoiceSerializer(serializers.Serializer[Any]):
    customer = serializers.CharField(required=False, allow_blank=True)
    credit_code = serializers.CharField(required=False, allow_blank=True)
    invoice_number = serializers.CharField()
    invoice_date = serializers.CharField()
    due_date = serializers.CharField()
    amount = serializers.CharField()
    paid = serializers.CharField(required=False, allow_blank=True)


class OrderSerializer(serializers.Serializer[Any]):
    customer = serializers.CharField(required=False, allow_blank=True)
    credit_code = serializers.CharField(required=False, allow_blank=True)
    order_number = serializers.CharField()
    order_date = serializers.CharField()
    amount = serializers.CharField()
    closed = serializers.BooleanField(required=False, default=False)


class UpsertResultSerializer(serializers.Serializer[Any]):
    new = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class CreditItemsSerializer(serializers.Serializer[Any]):
    items = serializers.ListField(
        child=serializers.DictField(),
        help_text="Invoices (invoice_number, invoice_date, due_date, amount, paid) or orders "
        "(order_number, order_date, amount, closed), each naming its customer by number "
        "(customer) or credit_code.",
    )


def _items(rows: list[dict[str, Any]], number: str, date: str) -> list[tuple[int, dict[str, Any]]]:
    renamed = []
    for index, row in enumerate(rows, start=1):
        item = dict(row)
        item["number"] = item.pop(number, "")
        item["date"] = item.pop(date, "")
        renamed.append((index, item))
    return renamed


def _errors(result: receivables.Result) -> dict[str, Any]:
    return {
        "items": [
            {"index": item.line, "errors": item.errors} for item in result.items if item.errors
        ]
    }


class ItemsView(Endpoint):
    """Invoices or orders of the finance system, upserted by number: every item or none."""

    kind = "invoices"
    required_permissions = {"POST": "credit.receivable.import"}

    @extend_schema(request=CreditItemsSerializer, responses=UpsertResultSerializer)
    def post(self, request: Request) -> Response:
        shape = InvoiceSerializer if self.kind == "invoices" else OrderSerializer
        payload = request.data if isinstance(request.data, dict) else {}
        given = shape(data=payload.get("items", []), many=True)
        given.is_valid(raise_exception=True)
        number, date = (
            ("invoice_number", "invoice_date")
            if self.kind == "invoices"
            else ("order_number", "order_date")
        )
        items = _items(list(given.validated_data), number, date)
        if not items:
            raise serializers.ValidationError({"items": [_("Give at least one item.")]})
        if len(items) > receivables.MAX_ROWS:
            raise serializers.ValidationError({"items": [_("Too many items in one request.")]})
        upsert = (
            receivables.invoices_upsert if self.kind == "invoices" else receivables.orders_upsert
        )
        check = receivables.check_invoices if self.kind == "invoices" else receivables.check_orders
        result = check(items)
        if not result.ok:
            raise serializers.ValidationError(_errors(result))
        try:
            result = upsert(items, source="api")
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(
            {
                "new": result.count("new"),
                "updated": result.count("update"),
                "unchanged": result.count("same"),
            }
        )


class LimitRequestSerializer(serializers.ModelSerializer[LimitRequest]):
    customer = serializers.IntegerField(source="account.customer_id", read_only=True)
    case = serializers.CharField(source="case.number", read_only=True, default="")

    class Meta:
        model = LimitRequest
        fields = [
            "id", "number", "customer", "kind", "limit_amount", "payment_days",
            "overdue_allowed", "temporary_amount", "temporary_until", "reason", "status",
            "requested_by", "case", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class LimitRequestInput(serializers.Serializer[Any]):
    customer = serializers.IntegerField()
    kind = serializers.CharField()
    limit_amount = ChineseAmountField(required=False, allow_null=True)
    payment_days = serializers.IntegerField(required=False, allow_null=True)
    overdue_allowed = ChineseAmountField(required=False, allow_null=True)
    temporary_amount = ChineseAmountField(required=False, allow_null=True)
    temporary_until = ChineseDateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True)


class LimitRequestsView(Endpoint):
    """File a limit request; it goes to the approval chain its amount requires."""

    required_permissions = {"POST": "credit.limitrequest.add"}

    @extend_schema(request=LimitRequestInput, responses={201: LimitRequestSerializer})
    def post(self, request: Request) -> Response:
        given = LimitRequestInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        customer = credit_customer(request.user, data.pop("customer"), "credit.limitrequest.add")
        try:
            created = limits.limit_request_create(customer, data, by=request.user)
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(LimitRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class LimitRequestView(Endpoint):
    @extend_schema(responses=LimitRequestSerializer)
    def get(self, request: Request, pk: int) -> Response:
        found = LimitRequest.objects.select_related("account", "case").filter(pk=pk).first()
        if found is None or not (
            found.requested_by_id == request.user.pk
            or policy.has_perm(request.user, "credit.limitrequest.view", found)
        ):
            raise Http404(NOT_FOUND)
        return Response(LimitRequestSerializer(found).data)


urlpatterns = [
    path("credit/check", CheckView.as_view()),
    path("credit/accounts/<int:pk>/", AccountView.as_view()),
    path("credit/receivables/", ItemsView.as_view(kind="invoices")),
    path("credit/orders/", ItemsView.as_view(kind="orders")),
    path("credit/limit-requests/", LimitRequestsView.as_view()),
    path("credit/limit-requests/<int:pk>/", LimitRequestView.as_view()),
]
