"""Update links in the API: a customer's links (GET), a new one (POST: by e-mail to a
contact, or "qr" answering the link's address once), revoking one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint, invalid
from kehu.core import policy
from kehu.core.mail import absolute
from kehu.customers.models import Contact, Customer
from kehu.selfservice import services
from kehu.selfservice.models import LinkChannel, LinkState, UpdateLink


class UpdateLinkSerializer(serializers.ModelSerializer[UpdateLink]):
    state = serializers.ChoiceField(choices=LinkState.choices, read_only=True)

    class Meta:
        model = UpdateLink
        fields = ["id", "customer", "contact", "channel", "sent_to", "state", "expires_at"]
        fields += ["revoked_at", "used_at", "opened_at", "created_at", "version"]
        read_only_fields = fields


class UpdateLinkCreateSerializer(serializers.Serializer[Any]):
    channel = serializers.ChoiceField(choices=LinkChannel.choices)
    contact = serializers.IntegerField(required=False, allow_null=True)


class UpdateLinkCreatedSerializer(UpdateLinkSerializer):
    url = serializers.CharField(read_only=True, help_text="The link's address, shown only now.")

    class Meta(UpdateLinkSerializer.Meta):
        fields = [*UpdateLinkSerializer.Meta.fields, "url"]
        read_only_fields = fields


class CustomerUpdateLinksView(Endpoint):
    def customer(self, pk: int, action: str) -> Customer:
        customer = self.get_visible(Customer, pk)
        self.require(f"selfservice.updatelink.{action}", UpdateLink(customer=customer))
        return customer

    @extend_schema(responses=UpdateLinkSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        customer = self.customer(pk, "view")
        rows = policy.rows_of(request.user, UpdateLink.objects.all(), "customer", customer)
        return Response(UpdateLinkSerializer(rows.order_by("-created_at", "-pk"), many=True).data)

    @extend_schema(request=UpdateLinkCreateSerializer, responses={201: UpdateLinkCreatedSerializer})
    def post(self, request: Request, pk: int) -> Response:
        customer = self.customer(pk, "add")
        given = UpdateLinkCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        contact_pk = given.validated_data.get("contact")
        contact = None
        if contact_pk is not None:
            contact = Contact.objects.filter(pk=contact_pk, customer=customer).first()
            if contact is None:
                raise serializers.ValidationError(
                    {"contact": ["Choose a contact of this customer."]}
                )
        try:
            link, token = services.link_create(
                customer, by=request.user, channel=given.validated_data["channel"], contact=contact
            )
        except ValidationError as error:
            raise invalid(error) from None
        link.url = absolute(services.link_path(token))  # type: ignore[attr-defined]
        return Response(UpdateLinkCreatedSerializer(link).data, status=status.HTTP_201_CREATED)


class UpdateLinkRevokeView(Endpoint):
    @extend_schema(request=None, responses=UpdateLinkSerializer)
    def post(self, request: Request, pk: int) -> Response:
        link = self.get_visible(UpdateLink.objects.select_related("customer"), pk)
        self.require("selfservice.updatelink.change", link)
        try:
            link = services.link_revoke(link, by=request.user)
        except ValidationError as error:
            raise invalid(error) from None
        return Response(UpdateLinkSerializer(link).data)


urlpatterns = [
    path(
        "customers/<int:pk>/update-links/",
        CustomerUpdateLinksView.as_view(),
        name="customer_update_links",
    ),
    path(
        "update-links/<int:pk>/revoke/", UpdateLinkRevokeView.as_view(), name="update_link_revoke"
    ),
]
