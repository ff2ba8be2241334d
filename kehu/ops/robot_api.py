"""Chat robots in the API beyond their record endpoints (/api/v1/chat-robots/): send a test
message, list the messages waiting or failed, retry a failed one."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehu.api.base import Endpoint
from kehu.ops import robots
from kehu.ops.models import ChatRobot, OutboxStatus, RobotMessage


class RobotMessageSerializer(serializers.ModelSerializer[RobotMessage]):
    robot_name = serializers.CharField(source="robot.name", read_only=True)

    class Meta:
        model = RobotMessage
        fields = ["id", "robot", "robot_name", "kind", "title", "status", "attempts"]
        fields += ["last_error", "next_try_at", "created_at", "sent_at"]


class RobotTestView(Endpoint):
    required_permissions = {"POST": "ops.chatrobot.change"}

    @extend_schema(request=None, responses={202: RobotMessageSerializer})
    def post(self, request: Request, pk: int) -> Response:
        robot = self.get_or_404(ChatRobot.objects.all(), pk)
        message = robots.robot_send_test(robot, by=request.user)
        return Response(RobotMessageSerializer(message).data, status=status.HTTP_202_ACCEPTED)


class RobotOutboxView(Endpoint):
    required_permissions = {"GET": "ops.robotmessage.view"}

    @extend_schema(responses=RobotMessageSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = RobotMessage.objects.exclude(status=OutboxStatus.SENT).select_related("robot")
        rows = rows.order_by("status", "-created_at")[:200]
        return Response(RobotMessageSerializer(rows, many=True).data)


class RobotMessageRetryView(Endpoint):
    required_permissions = {"POST": "ops.robotmessage.change"}

    @extend_schema(request=None, responses=RobotMessageSerializer)
    def post(self, request: Request, pk: int) -> Response:
        message = self.get_or_404(RobotMessage.objects.select_related("robot"), pk)
        message = robots.robot_message_retry(message, by=request.user)
        return Response(RobotMessageSerializer(message).data)


urlpatterns = [
    path("chat-robots/<int:pk>/test/", RobotTestView.as_view(), name="chat_robot_test"),
    path("robot-messages/", RobotOutboxView.as_view(), name="robot_messages"),
    path(
        "robot-messages/<int:pk>/retry/",
        RobotMessageRetryView.as_view(),
        name="robot_message_retry",
    ),
]
