"""Tasks and cases in the API: the caller's tasks, completing a step, a case with
its steps. Same services and rules (assignees, four-eyes, outcomes) as the pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint
from kehu.core.access import NOT_FOUND
from kehu.workflow import definitions, selectors, services
from kehu.workflow.models import Case, Step


class StepSerializer(serializers.ModelSerializer[Step]):
    case_number = serializers.CharField(source="case.number", read_only=True)
    case_title = serializers.CharField(source="case.title", read_only=True)
    process = serializers.CharField(source="case.process", read_only=True)
    assignee = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    outcomes = serializers.SerializerMethodField()
    completed_by = serializers.CharField(
        source="completed_by.username", default=None, allow_null=True
    )

    class Meta:
        model = Step
        fields = [
            "id", "case", "case_number", "case_title", "process", "key", "label", "assignee",
            "status", "due_date", "overdue", "outcomes", "outcome", "comment", "completed_by",
            "completed_at", "waiting_reason", "waiting_due", "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_assignee(self, step: Step) -> str:
        return services.describe_assignee(step)

    def get_overdue(self, step: Step) -> bool:
        return step.is_overdue(timezone.localdate())

    def get_outcomes(self, step: Step) -> dict[str, str]:
        spec = definitions.get(step.case.process).spec(step.key)
        return {key: str(label) for key, label in spec.outcomes.items()}


class CaseSerializer(serializers.ModelSerializer[Case]):
    steps = StepSerializer(many=True, read_only=True)
    opened_by = serializers.CharField(source="opened_by.username")
    subject = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id", "number", "process", "title", "subject", "unit", "status", "outcome",
            "outcome_reason", "opened_by", "created_at", "closed_at", "steps", "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_subject(self, case: Case) -> dict[str, Any]:
        return {
            "type": case.subject_type.model_class()._meta.label_lower,  # type: ignore[union-attr]
            "id": case.subject_id,
        }


class CompleteSerializer(serializers.Serializer[Any]):
    outcome = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    data = serializers.DictField(required=False, default=dict)  # type: ignore[assignment]
    version = serializers.IntegerField(required=False)


class TaskListView(Endpoint):
    @extend_schema(responses=StepSerializer(many=True))
    def get(self, request: Request) -> Response:
        # What the user may complete: four-eyes holds back the others (as on My tasks).
        tasks, _held_back = selectors.tasks_split_by_four_eyes(request.user)
        if request.query_params.get("overdue") in ("1", "true"):
            today = timezone.localdate()
            tasks = [s for s in tasks if s.is_overdue(today)]
        return Response(StepSerializer(tasks, many=True).data)


class TaskCompleteView(Endpoint):
    @extend_schema(request=CompleteSerializer, responses=StepSerializer)
    def post(self, request: Request, pk: int) -> Response:
        step = Step.objects.select_related("case").filter(pk=pk).first()
        if step is None or not selectors.can_view_case(request.user, step.case):
            raise Http404(NOT_FOUND)
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            done = services.complete_step(
                step,
                by=request.user,  # type: ignore[arg-type]
                outcome=data.validated_data["outcome"],
                comment=data.validated_data["comment"],
                data=data.validated_data["data"],
                expected_version=data.validated_data.get("version"),
            )
        except services.StaleStepError as error:
            return Response({"detail": str(error.args[0])}, status=status.HTTP_409_CONFLICT)
        except services.NotAllowedError as error:
            raise exceptions.PermissionDenied(str(error.args[0])) from None
        except services.StepFormError as error:
            detail: dict[str, Any] = {"detail": str(error.args[0])}
            if error.errors:
                detail["data"] = error.errors
            if error.form_url:
                detail["form_url"] = error.form_url
            raise exceptions.ValidationError(detail) from None
        except services.WorkflowError as error:
            raise exceptions.ValidationError({"detail": str(error.args[0])}) from None
        return Response(StepSerializer(done).data)


class CaseDetailView(Endpoint):
    @extend_schema(responses=CaseSerializer)
    def get(self, request: Request, pk: int) -> Response:
        case = Case.objects.filter(pk=pk).first()
        if case is None or not selectors.can_view_case(request.user, case):
            raise Http404(NOT_FOUND)
        return Response(CaseSerializer(case).data)


urlpatterns = [
    path("tasks/", TaskListView.as_view(), name="tasks"),
    path("tasks/<int:pk>/complete/", TaskCompleteView.as_view(), name="task_complete"),
    path("cases/<int:pk>/", CaseDetailView.as_view(), name="case"),
]
