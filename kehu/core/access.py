"""What a page or endpoint asks the policy, in one shape everywhere: a view declares the
permission it needs (`requires`), checks one that depends on an object (`require`), and fetches
objects only through `get_visible_or_404`, which never tells an object the user may not see
from one that does not exist."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from kehu.core import policy

DENIED = _("You do not have permission to do this.")
NOT_FOUND = _("No such record, or you may not see it.")

type View = Callable[..., HttpResponse]


def get_visible_or_404[M: Model](
    user: Any, queryset: QuerySet[M] | type[M], pk: Any, action: str = "view"
) -> M:
    """The object `pk` of `queryset` (or a model) if the policy lets `user` do `action` on it."""
    if not isinstance(queryset, QuerySet):
        queryset = queryset._default_manager.all()
    try:
        return policy.scope(user, queryset, action).get(pk=pk)
    except ObjectDoesNotExist:
        raise Http404(NOT_FOUND) from None


def get_from_visible_or_404[M: Model](visible: QuerySet[M], pk: Any) -> M:
    """The object `pk` of `visible`, rows a selector has already limited to what the user may
    see by a rule beyond the policy's scope (a borrower's own loans); the same 404 as above."""
    try:
        return visible.get(pk=pk)
    except ObjectDoesNotExist:
        raise Http404(NOT_FOUND) from None


def require(user: Any, perm: str, obj: Model | None = None) -> None:
    """Refuse (403) unless `user` holds `perm`, on `obj` when given."""
    if not policy.has_perm(user, perm, obj):
        raise PermissionDenied(DENIED)


def requires(perm: str) -> Callable[[View], View]:
    """Declare the permission a function view needs; the request is refused (403) without it."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.user, perm)
            return view(request, *args, **kwargs)

        checked.required_permission = perm  # type: ignore[attr-defined]
        return checked

    return decorate


class PermissionRequiredMixin:
    """The same declaration for class-based views: set `required_permission`."""

    required_permission: str = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.required_permission:
            require(request.user, self.required_permission)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
