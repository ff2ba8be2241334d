from django.contrib.auth.decorators import login_required
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.filters import AuditEventFilter
from kehu.audit.models import AuditEvent
from kehu.audit.selectors import readable_types, redact, redacted, restrict_filters
from kehu.audit.services import record
from kehu.core import policy
from kehu.core.access import requires
from kehu.generic.export import rows_to_xlsx
from kehu.generic.listing import keyset_page

COLUMNS = [
    ("seq", gettext_lazy("No.")),
    ("occurred_at", gettext_lazy("Time")),
    ("actor_username", gettext_lazy("User")),
    ("source_ip", gettext_lazy("Source address")),
    ("action", gettext_lazy("Action")),
    ("object_type", gettext_lazy("Object type")),
    ("object_repr", gettext_lazy("Object")),
    ("shown_changes", gettext_lazy("Changes (before → after)")),
    ("extra", gettext_lazy("Details")),
]


def _filtered(
    request: HttpRequest,
) -> tuple[AuditEventFilter, QuerySet[AuditEvent], frozenset[str] | None]:
    readable = readable_types(request.user)
    base = restrict_filters(
        policy.scope(request.user, AuditEvent.objects.all()), readable, request.GET
    )
    filterset = AuditEventFilter(request.GET, queryset=base)
    return filterset, filterset.qs if filterset.is_valid() else base.none(), readable


@login_required
@requires("audit.auditevent.view")
def events(request: HttpRequest) -> HttpResponse:
    filterset, rows, readable = _filtered(request)
    page = keyset_page(
        rows,
        "-pk",
        50,
        request.GET.get("after", ""),
        request.GET.get("before", ""),
    )
    for event in page.rows:
        redact(event, readable)
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("before", None)
    template = (
        "audit/_events_table.html" if request.headers.get("HX-Request") else "audit/events.html"
    )
    return render(
        request,
        template,
        {
            "filterset": filterset,
            "page": page,
            "query": params.urlencode(),
            "can_export": policy.has_perm(request.user, "audit.auditevent.export"),
        },
    )


@login_required
@requires("audit.auditevent.export")
@requires("audit.auditevent.view")
def export(request: HttpRequest) -> HttpResponse:
    _filterset, rows, readable = _filtered(request)
    content, count = rows_to_xlsx(
        str(_("Audit trail")),
        [(name, str(label)) for name, label in COLUMNS],
        redacted(
            rows.order_by(F("seq").asc(nulls_last=True), "id").iterator(chunk_size=2000), readable
        ),
        str(request.user),
    )
    record(
        "audit.auditevent.export",
        object_type="audit.auditevent",
        object_repr=str(_("Audit trail")),
        extra={"rows": count, "filters": dict(request.GET.items()), "format": "xlsx"},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response
