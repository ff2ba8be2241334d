"""The register review in the API: campaigns and tasks (read, filtered as on the pages), an
owner's confirmation or correction, and a campaign's progress per department; the same
services, selectors and permissions as the pages."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import AuditedAPIView, Endpoint, PolicyPermission, invalid
from kehu.reviews import selectors, services
from kehu.reviews.models import ReviewCampaign, ReviewTask, TaskStatus


class CampaignSerializer(serializers.ModelSerializer[ReviewCampaign]):
    class Meta:
        model = ReviewCampaign
        fields = [
            "id", "title", "month", "opened_on", "deadline", "mid_cycle", "status",
            "closed_at", "version",
        ]  # fmt: skip
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer[ReviewTask]):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    deadline = serializers.DateField(source="campaign.deadline", read_only=True)

    class Meta:
        model = ReviewTask
        fields = [
            "id", "campaign", "customer", "customer_name", "owner", "unit", "unit_name",
            "status", "deadline", "done_at", "changes", "stale_items", "version",
        ]  # fmt: skip
        read_only_fields = fields


class TaskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[*TaskStatus.choices, ("done", "done"), (selectors.OVERDUE, "overdue")],
        method="by_status",
    )

    class Meta:
        model = ReviewTask
        fields = ["campaign", "status", "unit", "owner"]

    def by_status(
        self, queryset: QuerySet[ReviewTask], name: str, value: str
    ) -> QuerySet[ReviewTask]:
        return selectors.filter_tasks(queryset, status=value)


class CampaignViewSet(AuditedAPIView, viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    queryset_model = ReviewCampaign
    queryset = ReviewCampaign.objects.none()

    def get_queryset(self) -> QuerySet[ReviewCampaign]:
        return selectors.visible_campaigns(self.request.user)

    def sort_key(self, request: Request) -> Any:
        return "-pk"


class TaskViewSet(AuditedAPIView, viewsets.ReadOnlyModelViewSet):
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    queryset_model = ReviewTask
    queryset = ReviewTask.objects.none()

    def get_queryset(self) -> QuerySet[ReviewTask]:
        return selectors.visible_tasks(self.request.user)

    def sort_key(self, request: Request) -> Any:
        return "pk"


class AnswerSerializer(serializers.Serializer[Any]):
    stale_items = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class TaskAnswerView(Endpoint):
    """POST confirms the task's customer unchanged (`confirm`) or records the corrections made
    through the customer endpoints since the review opened (`correct`)."""

    answer = "confirm"

    @extend_schema(request=AnswerSerializer, responses=TaskSerializer)
    def post(self, request: Request, pk: int) -> Response:
        task = self.get_visible(selectors.task_rows(), pk)
        self.require("reviews.reviewtask.change", task)
        given = AnswerSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        stale = given.validated_data.get("stale_items", "")
        answer = services.task_confirm if self.answer == "confirm" else services.task_correct
        try:
            done = answer(task, by=request.user, stale_items=stale)
        except DjangoValidationError as error:
            raise invalid(error) from None
        return Response(TaskSerializer(done).data)


class ProgressSerializer(serializers.Serializer[Any]):
    units = serializers.ListField(child=serializers.DictField())
    total = serializers.DictField()


class ProgressView(Endpoint):
    """Done / open / overdue per department of the tasks the user may see."""

    required_permissions = {"GET": "reviews.reviewcampaign.view"}

    @extend_schema(responses=ProgressSerializer)
    def get(self, request: Request, pk: int) -> Response:
        campaign = self.get_visible(ReviewCampaign, pk)
        units, total = selectors.progress(request.user, campaign)
        return Response({"units": [u.as_dict() for u in units], "total": total.as_dict()})


urlpatterns = [
    path(
        "review-tasks/<int:pk>/confirm/",
        TaskAnswerView.as_view(answer="confirm"),
        name="review_task_confirm",
    ),
    path(
        "review-tasks/<int:pk>/correct/",
        TaskAnswerView.as_view(answer="correct"),
        name="review_task_correct",
    ),
    path("review-campaigns/<int:pk>/progress/", ProgressView.as_view(), name="review_progress"),
]
