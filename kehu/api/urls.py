"""The API's routes: the generated record endpoints, each app's own endpoints (the
`urlpatterns` of its `api` module), API tokens, and the schema."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from kehu.api import token_api
from kehu.api.viewsets import viewset_for
from kehu.archives import api as archives
from kehu.audit.api import AuditEventViewSet
from kehu.customers import api as customers
from kehu.documents import api as documents
from kehu.filing import api as filing
from kehu.generic import registry
from kehu.privacy import api as privacy
from kehu.privacy.api import AccessGrantViewSet
from kehu.workflow import api as workflow

app_name = "api"

router = DefaultRouter()
for record_type in registry.all_types():
    router.register(record_type.slug, viewset_for(record_type), basename=record_type.slug)
router.register("audit-events", AuditEventViewSet, basename="audit-events")
router.register("access-grants", AccessGrantViewSet, basename="access-grants")

urlpatterns = [
    *customers.urlpatterns,
    *documents.urlpatterns,
    *filing.urlpatterns,
    *privacy.urlpatterns,
    *workflow.urlpatterns,
    *archives.urlpatterns,
    path("tokens/", token_api.TokensView.as_view(), name="tokens"),
    path("tokens/<int:pk>/", token_api.TokenDetailView.as_view(), name="token"),
    path("tokens/<int:pk>/revoke/", token_api.TokenRevokeView.as_view(), name="token_revoke"),
    # The schema and its docs page describe every route: for signed-in users only. The split
    # view serves its start-up script as a file, which the Content-Security-Policy allows.
    path(
        "schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="schema"
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", permission_classes=[IsAuthenticated]
        ),
        name="docs",
    ),
    path("", include(router.urls)),
]
