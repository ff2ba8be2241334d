from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from kehu.ops.views import health

urlpatterns = [
    path("accounts/", include("kehu.accounts.urls")),
    path("audit/", include("kehu.audit.urls")),
    path("api/v1/", include("kehu.api.urls")),
    path("tokens/", include("kehu.api.token_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("health/", health, name="health"),
    path("ops/", include("kehu.ops.urls")),
    path("jobs/", include("kehu.generic.jobs.urls")),
    path("backups/", include("kehu.backups.urls")),
    path("", include("kehu.core.urls")),
    path("", include("kehu.customers.urls")),
    path("", include("kehu.documents.urls")),
    path("", include("kehu.workflow.urls")),
    path("", include("kehu.filing.urls")),
    path("", include("kehu.privacy.urls")),
    path("", include("kehu.archives.urls")),
    path("", include("kehu.credit.urls")),
    path("", include("kehu.reviews.urls")),
    path("", include("kehu.contracts.urls")),
    path("", include("kehu.interactions.urls")),
    path("", include("kehu.selfservice.urls")),
    path("", include("kehu.generic.urls")),
]
