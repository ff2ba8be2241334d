from django.urls import path

from kehu.customers import views
from kehu.customers.roster import views as roster_views

app_name = "customers"

urlpatterns = [
    path("customers/list.pdf", views.customer_list_pdf, name="list_pdf"),
    path("customers/import/", roster_views.roster_import, name="import"),
    path("customers/import/template.xlsx", roster_views.roster_template, name="import_template"),
    path("customers/import/<int:pk>/", roster_views.roster_preview, name="import_preview"),
    path("customers/import/<int:pk>/confirm/", roster_views.roster_confirm, name="import_confirm"),
    path("customers/<int:pk>/status/", views.change_status, name="change_status"),
    path("customers/<int:pk>/verify/", views.verify, name="verify"),
    path("customers/<int:pk>/merge/", views.merge, name="merge"),
    path(
        "customers/<int:pk>/flags/<int:flag_pk>/dismiss/",
        views.dismiss_flag,
        name="dismiss_flag",
    ),
    path("customers/<int:pk>/propose/", views.propose, name="propose"),
    path("customers/<int:pk>/package/", views.dossier_package, name="package"),
    path("change-requests/", views.change_requests, name="change_requests"),
    path("change-requests/<int:pk>/", views.change_request, name="change_request"),
    path("change-requests/<int:pk>/file/", views.change_request_file, name="change_request_file"),
]
