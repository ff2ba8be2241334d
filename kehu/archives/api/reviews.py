"""Checks before filing in the API: a dossier's checks, and recording one (the same service
as the page; filing items afterwards goes through the generic archive-items endpoint)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint, invalid
from kehu.archives import reviews, selectors
from kehu.archives.models import ArchivingReview


class ReviewSerializer(serializers.ModelSerializer[ArchivingReview]):
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True)

    class Meta:
        model = ArchivingReview
        fields = [
            "id",
            "dossier",
            "authentic",
            "authenticity_note",
            "complete",
            "completeness_note",
            "accurate",
            "accuracy_note",
            "outcome",
            "reason",
            "reviewed_by",
            "reviewed_at",
        ]
        read_only_fields = ["id", "dossier", "reviewed_by", "reviewed_at"]


class DossierReviewsView(Endpoint):
    @extend_schema(responses=ReviewSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        dossier = self.get_visible(selectors.dossier_rows(), pk)
        return Response(ReviewSerializer(selectors.dossier_reviews(dossier), many=True).data)

    @extend_schema(request=ReviewSerializer, responses={201: ReviewSerializer})
    def post(self, request: Request, pk: int) -> Response:
        dossier = self.get_visible(selectors.dossier_rows(), pk)
        self.require("archives.archivingreview.add", dossier)
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            review = reviews.record_review(dossier, request.user, dict(data.validated_data))
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
