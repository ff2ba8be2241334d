"""The archives in the API beyond the generic record endpoints (archive-categories, dossiers,
archive-items, cabinets), one module per resource. Same services, selectors and policy as the
pages."""

from django.urls import path

from kehu.archives.api import cabinets, destructions, holds, loans, reviews, transfers

urlpatterns = [
    path("cabinets/<int:pk>/checks/", cabinets.CabinetChecksView.as_view()),
    path("dossiers/<int:pk>/holds/", holds.DossierHoldsView.as_view()),
    path("holds/<int:pk>/lift/", holds.HoldLiftView.as_view()),
    path("dossiers/<int:pk>/reviews/", reviews.DossierReviewsView.as_view()),
    path("loans/", loans.LoansView.as_view()),
    path("loans/<int:pk>/", loans.LoanDetailView.as_view()),
    path("loans/<int:pk>/renewal/", loans.LoanActionView.as_view(action="renewal")),
    path("loans/<int:pk>/incident/", loans.LoanActionView.as_view(action="incident")),
    path("disposition/", destructions.DispositionView.as_view()),
    path("transfers/", transfers.TransfersView.as_view()),
    path("transfers/<int:pk>/confirm/", transfers.TransferConfirmView.as_view()),
    path("destructions/", destructions.DestructionsView.as_view()),
    path("destructions/<int:pk>/", destructions.DestructionDetailView.as_view()),
    path("destructions/<int:pk>/execute/", destructions.DestructionExecuteView.as_view()),
]
