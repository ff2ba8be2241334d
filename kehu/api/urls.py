"""The API's routes: the generated record endpoints, each app's own endpoints (the
`urlpatterns` of the `api` module it registers with kehu.api.routes), API tokens, and the
schema."""

from importlib import import_module

from django.urls import include, path
from django.utils.module_loading import import_string
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from kehu.api import routes, token_api
from kehu.api.viewsets import viewset_for
from kehu.generic import registry

app_name = "api"

router = DefaultRouter()
for record_type in registry.all_types():
    router.register(record_type.slug, viewset_for(record_type), basename=record_type.slug)
for viewset in routes.viewsets():
    router.register(viewset.prefix, import_string(viewset.path), basename=viewset.basename)

urlpatterns = [
    *(
        pattern
        for module in routes.endpoint_modules()
        for pattern in import_module(module).urlpatterns
    ),
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
