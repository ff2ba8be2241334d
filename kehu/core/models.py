"""Organisation units, users, roles and archivist certification (SEC-1, SEC-2, ARC-8)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TrackedModel(models.Model):
    """Base for every record type: timestamps and a version for optimistic locking."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    """The roles of SEC-1. A user may hold several, each in an organisation unit."""

    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    COMPLIANCE = "compliance", _("Compliance officer")
    ARCHIVIST = "archivist", _("Archivist")
    CREDIT_MANAGER = "credit_manager", _("Credit manager")
    CONTRACT_OFFICER = "contract_officer", _("Contract officer")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    GENERAL_MANAGER = "general_manager", _("General manager")
    FINANCE = "finance", _("Finance")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    AUDITOR = "auditor", _("Auditor")


class UnitKind(models.TextChoices):
    GROUP = "group", _("Group")
    SUBSIDIARY = "subsidiary", _("Subsidiary")
    DEPARTMENT = "department", _("Department")


class OrgUnit(TrackedModel):
    """A node of the organisation tree: group → subsidiaries → departments."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Upper-case letters, digits and hyphens, e.g. SALE; used in archive numbers."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ancestor ids ("/1/4/9/") so subtree queries are one LIKE.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="/")
    is_active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def tree_label(self) -> str:
        """The name indented by its depth, for lists sorted by tree position."""
        return ("\u3000" * self.depth) + ("└ " if self.depth else "") + self.name


class User(AbstractUser):
    """A person who signs in. Roles come from RoleAssignment rows."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    employee_no = models.CharField(_("staff number"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("primary unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    failed_login_count = models.PositiveIntegerField(_("failed sign-ins"), default=0)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.full_name or self.username} ({self.username})"

    @property
    def locked_until(self) -> datetime.datetime | None:
        """The end of the current lock: the base period, doubled at each further lock-out
        (one per KEHU_LOCKOUT_THRESHOLD failures in a row), capped."""
        if self.locked_at is None:
            return None
        locks = max(self.failed_login_count // settings.KEHU_LOCKOUT_THRESHOLD, 1)
        minutes = min(
            settings.KEHU_LOCKOUT_MINUTES * 2 ** min(locks - 1, 20),
            settings.KEHU_LOCKOUT_MAX_MINUTES,
        )
        return self.locked_at + datetime.timedelta(minutes=minutes)

    @property
    def is_locked(self) -> bool:
        until = self.locked_until
        return until is not None and until > timezone.now()

    @property
    def created_at(self) -> datetime.datetime:
        return self.date_joined

    def role_summary(self) -> str:
        return "、".join(
            f"{a.get_role_display()}@{a.unit.code}" for a in self.role_assignments.all()
        )


class RoleAssignment(models.Model):
    """User U holds role R in unit X and everything below it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="unique_role_in_unit")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.unit.code}"


class Education(models.TextChoices):
    """Highest education completed, lowest first; an archivist needs 大专 or above."""

    JUNIOR_SECONDARY = "junior_secondary", _("Junior secondary school or below")
    SENIOR_SECONDARY = "senior_secondary", _("Senior secondary or technical school")
    JUNIOR_COLLEGE = "junior_college", _("Junior college (大专)")
    BACHELOR = "bachelor", _("Bachelor (本科)")
    MASTER = "master", _("Master (硕士)")
    DOCTORATE = "doctorate", _("Doctorate (博士)")


# The education levels that qualify for the archivist role: 大专 (junior college) or above.
ARCHIVIST_EDUCATION = frozenset(
    {Education.JUNIOR_COLLEGE, Education.BACHELOR, Education.MASTER, Education.DOCTORATE}
)


def one_year_after(day: datetime.date) -> datetime.date:
    """The same day a year later (29 February: 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


class ArchivistCertification(models.Model):
    """Training, exam and education record; the archivist role needs a valid one, with 大专
    or above (ARC-8), and a re-training every year."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="archivist_certification"
    )
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True
    )
    training_date = models.DateField(_("training date"))
    exam_date = models.DateField(_("exam date"))
    certificate_no = models.CharField(_("certificate number"), max_length=50)
    valid_until = models.DateField(_("valid until"))
    last_training_on = models.DateField(_("last re-training"), null=True, blank=True)

    class Meta:
        verbose_name = _("archivist certification")
        verbose_name_plural = _("archivist certifications")

    def __str__(self) -> str:
        return self.certificate_no

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.exam_date <= day <= self.valid_until and self.education_qualifies

    @property
    def education_qualifies(self) -> bool:
        return self.education in ARCHIVIST_EDUCATION

    @property
    def retrain_due(self) -> datetime.date:
        """The yearly re-training: a year after the last one, or after the certification."""
        return one_year_after(self.last_training_on or self.exam_date)


class SecurityPolicy(models.Model):
    """Singleton: which roles must use a second factor (SEC-5)."""

    totp_required_roles = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("security policy")

    def __str__(self) -> str:
        return str(_("security policy"))

    @classmethod
    def current(cls) -> SecurityPolicy:
        policy, _created = cls.objects.get_or_create(
            pk=1, defaults={"totp_required_roles": list(settings.KEHU_TOTP_REQUIRED_ROLES)}
        )
        return policy


class Notification(models.Model):
    """A message to one user, shown in the header bell and on "My notifications"."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class CalendarDay(TrackedModel):
    """An administrator's entry in the working-day calendar: a public holiday, an adjusted
    working day (调休) or a company day. It overrides the calendar library for that date."""

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(_("working day"), default=False)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class CalendarYear(TrackedModel):
    """Marks that the official holiday schedule of a year has been entered by an administrator
    (for years the calendar library does not know yet)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    note = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class NumberSequence(models.Model):
    """The last number handed out for one key (e.g. "archive:2026:SALE"). Rows are locked
    while a number is taken, so numbers are unique and, with the caller's rollback, gap-free."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    last_value = models.PositiveIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"


class AccessGrant(models.Model):
    """A time-limited permission for one user on one object: it ends by itself
    at `until`, or earlier when revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_grants")
    object_type = models.CharField(_("object type"), max_length=100)  # app_label.model
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    until = models.DateTimeField(_("valid until"))
    reason = models.CharField(_("reason"), max_length=500)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "object_type", "until"], name="grant_lookup")]

    def __str__(self) -> str:
        return f"{self.user} → {self.object_repr or self.object_id}"

    def is_active(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.until > now


def _default_token_max_days() -> int:
    from django.conf import settings

    return int(settings.KEHU_API_TOKEN_MAX_DAYS)


class AccessLimits(models.Model):
    """Singleton: how long an access grant and an API token may run at most,
    set by a system administrator like the retention periods."""

    grant_max_days = models.PositiveSmallIntegerField(
        _("longest access grant (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    token_max_days = models.PositiveSmallIntegerField(
        _("longest API token lifetime (days)"),
        default=_default_token_max_days,
        validators=[MinValueValidator(1), MaxValueValidator(3660)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("access limits")

    def __str__(self) -> str:
        return f"{self.grant_max_days}/{self.token_max_days}"

    @classmethod
    def current(cls) -> AccessLimits:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


from kehu.core.keymodels import KeyCanary, KeyRotation  # noqa: E402, F401  (registered)
