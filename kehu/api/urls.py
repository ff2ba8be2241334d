from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from kehu.api import token_api
from kehu.api.grants import AccessGrantViewSet
from kehu.api.viewsets import viewset_for
from kehu.archives.api import loans as archives
from kehu.audit.api import AuditEventViewSet
from kehu.customers import api as customers
from kehu.documents import api as documents
from kehu.filing import api as filing
from kehu.generic import registry
from kehu.privacy import api as privacy
from kehu.workflow import api as workflow

app_name = "api"

router = DefaultRouter()
for record_type in registry.all_types():
    router.register(record_type.slug, viewset_for(record_type), basename=record_type.slug)
router.register("audit-events", AuditEventViewSet, basename="audit-events")
router.register("access-grants", AccessGrantViewSet, basename="access-grants")

urlpatterns = [
    path("customers/<int:pk>/status/", customers.CustomerStatusView.as_view()),
    path("customers/<int:pk>/merge/", customers.CustomerMergeView.as_view()),
    path("customers/<int:pk>/duplicates/", customers.CustomerDuplicatesView.as_view()),
    path("customers/<int:pk>/completeness/", customers.CustomerCompletenessView.as_view()),
    path("customers/<int:pk>/change-requests/", customers.CustomerChangeRequestsView.as_view()),
    path("change-requests/<int:pk>/decision/", customers.ChangeRequestDecisionView.as_view()),
    path("customers/<int:pk>/documents/", documents.CustomerDocumentsView.as_view()),
    path("documents/<int:pk>/versions/", documents.DocumentVersionsView.as_view()),
    path(
        "document-versions/<int:pk>/download/",
        documents.VersionDownloadView.as_view(),
        name="document_download",
    ),
    path("filings/", filing.FilingListView.as_view(), name="filings"),
    path("filings/<int:pk>/", filing.FilingDetailView.as_view(), name="filing"),
    path("reveal/", privacy.RevealView.as_view(), name="reveal"),
    path("consents/", privacy.ConsentsView.as_view(), name="consents"),
    path("tasks/", workflow.TaskListView.as_view(), name="tasks"),
    path("tasks/<int:pk>/complete/", workflow.TaskCompleteView.as_view(), name="task_complete"),
    path("cases/<int:pk>/", workflow.CaseDetailView.as_view(), name="case"),
    path("cabinets/<int:pk>/checks/", archives.CabinetChecksView.as_view()),
    path("dossiers/<int:pk>/holds/", archives.DossierHoldsView.as_view()),
    path("holds/<int:pk>/lift/", archives.HoldLiftView.as_view()),
    path("loans/", archives.LoansView.as_view()),
    path("loans/<int:pk>/", archives.LoanDetailView.as_view()),
    path("loans/<int:pk>/renewal/", archives.LoanActionView.as_view(action="renewal")),
    path("loans/<int:pk>/incident/", archives.LoanActionView.as_view(action="incident")),
    path("disposition/", archives.DispositionView.as_view()),
    path("transfers/", archives.TransfersView.as_view()),
    path("transfers/<int:pk>/confirm/", archives.TransferConfirmView.as_view()),
    path("destructions/", archives.DestructionsView.as_view()),
    path("destructions/<int:pk>/", archives.DestructionDetailView.as_view()),
    path("destructions/<int:pk>/execute/", archives.DestructionExecuteView.as_view()),
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
