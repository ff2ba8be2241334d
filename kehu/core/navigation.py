"""Where a page sends the user back to: a `next` parameter, accepted only as a path on this
site (a form opened from a filing's checklist returns to that filing when it is saved)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def return_target(request: HttpRequest) -> str:
    """The request's `next` (the form's, else the address's) when it is a path on this site,
    else "" (a link to another site or a scheme is ignored)."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return ""


def with_return(url: str, back_to: str, **params: object) -> str:
    """`url` with query `params` and `next=back_to` (a path of this site)."""
    query = {key: value for key, value in params.items() if value not in (None, "")}
    query["next"] = back_to
    return f"{url}?{urlencode(query)}"
