from django.urls import path

from kehu.contracts import views

app_name = "contracts"

urlpatterns = [
    path("contracts/settings/", views.settings_page, name="settings"),
    path("contracts/ledger.pdf", views.ledger_pdf, name="ledger_pdf"),
    path("contracts/<int:pk>/transition/", views.contract_transition, name="transition"),
    path("contracts/<int:pk>/dispute/", views.contract_dispute, name="dispute"),
    path("contracts/<int:pk>/attach/", views.contract_attach, name="attach"),
    path("contract-handovers/<int:pk>/receive/", views.handover_receive, name="receive"),
    path("contracts/statistics/", views.statistics_page, name="statistics"),
    path(
        "contracts/statistics/departments/",
        views.department_statistics,
        name="department_statistics",
    ),
    path(
        "contracts/statistics/<int:pk>/<str:kind>/",
        views.statistics_file,
        name="statistics_file",
    ),
]
