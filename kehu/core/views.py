"""Home and the user-administration actions that are not plain record edits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.accounts.services import reset_second_factor
from kehu.audit.models import AuditEvent
from kehu.core import calendar, policy, services
from kehu.core.access import get_visible_or_404, require, requires
from kehu.core.dashboard import panel, panels_for
from kehu.core.forms import AdminPasswordForm, CertificationForm, RoleGrantForm, SecurityPolicyForm
from kehu.core.home import lazy_panels, stats_for
from kehu.core.models import (
    ArchivistCertification,
    Notification,
    OrgUnit,
    RoleAssignment,
    SecurityPolicy,
    User,
)
from kehu.core.notifications import mark_notifications_read
from kehu.core.users import change_password, unlock_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    stats = stats_for(user)
    if policy.has_perm(user, "core.orgunit.view"):
        units = policy.scope(user, OrgUnit.objects.all()).count()
        stats.append((_("Organisation units"), units, reverse("generic:units_list")))
    if policy.has_perm(user, "core.user.view"):
        users = policy.scope(user, User.objects.all())
        stats.append((_("Users"), users.count(), reverse("generic:users_list")))
        locked = users.filter(locked_at__isnull=False).count()
        stats.append((_("Locked accounts"), locked, reverse("generic:users_list") + "?locked=true"))
    if policy.has_perm(user, "audit.auditevent.view"):
        stats.append((_("Audit events"), AuditEvent.objects.count(), reverse("audit:events")))
    missing_years = (
        calendar.missing_schedule_years() if policy.has_perm(user, "core.calendaryear.add") else []
    )
    recent_sign_ins = AuditEvent.objects.filter(
        actor_id=user.pk, action__in=["auth.login", "auth.login_failed"]
    ).order_by("-seq")[:5]
    return render(
        request,
        "core/home.html",
        {
            "stats": stats,
            "lazy_panels": [reverse(name) for name in lazy_panels()]
            + [reverse("core:dashboard_panel", args=[p.slug]) for p in panels_for(user)],
            "missing_years": missing_years,
            "recent_sign_ins": recent_sign_ins,
            "grants": user.role_assignments.select_related("unit"),
        },
    )


@login_required
def dashboard_panel(request: HttpRequest, slug: str) -> HttpResponse:
    """One dashboard panel of the home page (loaded after the page has shown)."""
    found = panel(slug)
    if found is None or not found.visible(request.user):
        raise Http404
    charts = found.build(request.user)
    return render(request, "core/_dashboard_panel.html", {"panel": found, "charts": charts})


def _managed_user(request: HttpRequest, pk: int) -> User:
    # Like the record views: no permission at all → 403; a user outside one's scope → 404.
    require(request.user, "core.user.change")
    target = get_visible_or_404(request.user, User, pk)
    require(request.user, "core.user.change", target)
    return target


def _back(target: User) -> HttpResponse:
    return redirect(reverse("generic:users_detail", args=[target.pk]))


@login_required
@require_POST
def grant_role(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_user(request, pk)
    form = RoleGrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role and a unit."))
        return _back(target)
    try:
        services.grant_role(
            target,
            form.cleaned_data["role"],
            form.cleaned_data["unit"],
            by=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Role granted."))
    return _back(target)


@login_required
@require_POST
def revoke_role(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    target = _managed_user(request, pk)
    assignment = get_object_or_404(RoleAssignment, pk=assignment_pk, user=target)
    services.revoke_role(assignment)
    messages.success(request, _("Role revoked."))
    return _back(target)


@login_required
@require_POST
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_user(request, pk)
    unlock_user(target)
    messages.success(request, _("Account unlocked; the user can sign in again."))
    return _back(target)


@login_required
def certification(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_user(request, pk)
    instance = ArchivistCertification.objects.filter(user=target).first()
    form = CertificationForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_certification(target, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Archivist certification saved."))
            return _back(target)
    return render(request, "core/certification_form.html", {"form": form, "target": target})


@login_required
def reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_user(request, pk)
    form = AdminPasswordForm(target, request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_password(target, form.cleaned_data["password"], by_admin=True)
        messages.success(request, _("Password reset."))
        return _back(target)
    return render(request, "core/reset_password.html", {"form": form, "target": target})


@login_required
@requires("core.securitypolicy.change")
def security_policy(request: HttpRequest) -> HttpResponse:
    current = SecurityPolicy.current()
    form = SecurityPolicyForm(
        request.POST or None, initial={"totp_required_roles": current.totp_required_roles}
    )
    if request.method == "POST" and form.is_valid():
        services.set_totp_required_roles(form.cleaned_data["totp_required_roles"])
        messages.success(request, _("Security policy saved."))
        return redirect("core:security_policy")
    return render(request, "core/security_policy.html", {"form": form})


@login_required
@require_POST
def reset_totp(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_user(request, pk)
    reset_second_factor(target)
    messages.success(request, _("Second factor reset; the user sets it up again at next sign-in."))
    return _back(target)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's own notifications; POST marks them read."""
    if request.method == "POST":
        mark_notifications_read(request.user)  # type: ignore[arg-type]
        return redirect("core:notifications")
    rows = Notification.objects.filter(user_id=request.user.pk or 0)[:200]
    return render(request, "core/notifications.html", {"rows": rows})
