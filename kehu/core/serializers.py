from rest_framework import serializers

from kehu.core.models import CalendarDay, CalendarYear, OrgUnit, RoleAssignment, User


class OrgUnitSerializer(serializers.ModelSerializer[OrgUnit]):
    class Meta:
        model = OrgUnit
        fields = ["id", "name", "code", "kind", "parent", "is_active", "note", "version"]
        read_only_fields = ["id"]


class RoleAssignmentSerializer(serializers.ModelSerializer[RoleAssignment]):
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "unit", "unit_code", "granted_at"]


class UserSerializer(serializers.ModelSerializer[User]):
    roles = RoleAssignmentSerializer(source="role_assignments", many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "employee_no",
            "phone",
            "unit",
            "is_active",
            "locked_at",
            "last_login",
            "roles",
            "version",
        ]
        read_only_fields = fields


class CalendarDaySerializer(serializers.ModelSerializer[CalendarDay]):
    class Meta:
        model = CalendarDay
        fields = ["id", "date", "is_working", "name", "version"]
        read_only_fields = ["id"]


class CalendarYearSerializer(serializers.ModelSerializer[CalendarYear]):
    class Meta:
        model = CalendarYear
        fields = ["id", "year", "note", "version"]
        read_only_fields = ["id"]
