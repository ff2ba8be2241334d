import ipaddress
from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from kehu.audit.context import acting_as, actor_for
from kehu.audit.purpose import PurposeRequired, session_purpose


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind KEHU_PROXY_HOPS trusted proxies the
    X-Forwarded-For entry the outermost proxy appended, counted from the right. Entries to
    its left come from the client, who may write anything there: they are never read."""
    from django.conf import settings

    remote = str(request.META.get("REMOTE_ADDR", ""))
    hops = settings.KEHU_PROXY_HOPS
    forwarded = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [e for e in forwarded if e]
    if hops <= 0 or len(forwarded) < hops:
        return remote  # no proxy, or one that did not append: only the connection is known
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class AuditContextMiddleware:
    """Makes the signed-in user, source address and declared purpose of use the actor of
    every audit event; a page that needs a purpose first leads to its declaration."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        purpose = session_purpose(request) if user is not None and user.is_authenticated else None
        with acting_as(actor_for(user, client_ip(request), purpose)):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PurposeRequired):
            return None
        target = reverse("privacy:purpose") + "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
