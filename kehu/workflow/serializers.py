"""API serializers of the workflow app's record types."""

from __future__ import annotations

from rest_framework import serializers

from kehu.workflow.models import ApproverRule


class ApproverRuleSerializer(serializers.ModelSerializer[ApproverRule]):
    class Meta:
        model = ApproverRule
        fields = ["id", "process", "unit", "position", "role", "basis", "version"]
        read_only_fields = ["id"]
