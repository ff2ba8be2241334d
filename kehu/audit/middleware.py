from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kehu.audit.context import acting_as, actor_for


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is trusted solely when a proxy sets it (KEHU_SECURE).
    from django.conf import settings

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE and forwarded:
        return forwarded.split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


class AuditContextMiddleware:
    """Makes the signed-in user and source address the actor of every audit event."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(actor_for(getattr(request, "user", None), client_ip(request))):
            return self.get_response(request)
