"""Pages for API tokens: a user's own (list, create — the token shown once —, revoke) and,
for an administrator, anyone's (list, revoke). The rules are in `kehu.api.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kehu.api import services
from kehu.api.models import ApiToken
from kehu.core import policy


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = services.default_days()
        self.fields["days"].max_value = services.max_days()  # type: ignore[attr-defined]
        self.fields["days"].widget.attrs["max"] = services.max_days()


def _second_factor_passed(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


@login_required
def my_tokens(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    created: tuple[ApiToken, str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_token(
                request.user,  # type: ignore[arg-type]
                form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                second_factor_passed=_second_factor_passed(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = TokenCreateForm()
    status = 400 if request.method == "POST" and created is None else 200
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "created": created,
            "rows": services.with_states(services.tokens_of(request.user).select_related("user")),
        },
        status=status,
    )


@login_required
def all_tokens(request: HttpRequest) -> HttpResponse:
    if not policy.has_perm(request.user, services.VIEW_PERM):
        raise PermissionDenied(_("You do not have permission to do this."))
    rows = services.tokens_visible_to(request.user)
    username = request.GET.get("user", "").strip()
    if username:
        rows = rows.filter(user__username__iexact=username)
    return render(
        request,
        "api/tokens_all.html",
        {"rows": services.with_states(rows[:500]), "username": username},
    )


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    mine = services.tokens_of(request.user)
    token = mine.filter(pk=pk).first() or get_object_or_404(
        services.tokens_visible_to(request.user), pk=pk
    )
    services.revoke_token(token, by=request.user)
    messages.success(request, _("The token was revoked; it no longer works."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = ""
    return redirect(target or "tokens:mine")
