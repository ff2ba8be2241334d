"""Users' background jobs in the API: the same rows, services and download as the Jobs page
(kehu.generic.jobs); each token sees only its own user's jobs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponseBase
from django.urls import path
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint
from kehu.generic.jobs import request_cancel
from kehu.generic.jobs.kinds import kind_label
from kehu.generic.jobs.views import own_job_or_404, result_available, result_response
from kehu.generic.models import UserJob


class JobSerializer(serializers.ModelSerializer[UserJob]):
    kind_label = serializers.SerializerMethodField()
    percent = serializers.IntegerField(read_only=True, allow_null=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = UserJob
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "state",
            "done",
            "total",
            "percent",
            "message",
            "summary",
            "error",
            "cancel_requested",
            "result_name",
            "result_size",
            "result_sha256",
            "result_expires_at",
            "download",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_kind_label(self, job: UserJob) -> str:
        return kind_label(job.kind)

    def get_download(self, job: UserJob) -> str | None:
        return f"/api/v1/jobs/{job.pk}/download/" if result_available(job) else None


class JobListView(Endpoint):
    @extend_schema(responses=JobSerializer(many=True))
    def get(self, request: Request) -> Response:
        jobs = UserJob.objects.filter(owner_id=request.user.pk)[:100]
        return Response(JobSerializer(jobs, many=True).data)


class JobDetailView(Endpoint):
    @extend_schema(responses=JobSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(JobSerializer(own_job_or_404(request.user, pk)).data)


class JobCancelView(Endpoint):
    @extend_schema(request=None, responses=JobSerializer)
    def post(self, request: Request, pk: int) -> Response:
        job = own_job_or_404(request.user, pk)
        try:
            job = request_cancel(request.user, job)
        except ValidationError as error:
            raise serializers.ValidationError({"state": error.messages}) from None
        return Response(JobSerializer(job).data)


class JobDownloadView(Endpoint):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        return result_response(request.user, pk)


urlpatterns: list[Any] = [
    path("jobs/", JobListView.as_view(), name="jobs"),
    path("jobs/<int:pk>/", JobDetailView.as_view(), name="job"),
    path("jobs/<int:pk>/cancel/", JobCancelView.as_view(), name="job_cancel"),
    path("jobs/<int:pk>/download/", JobDownloadView.as_view(), name="job_download"),
]
