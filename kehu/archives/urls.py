from django.urls import path

from kehu.archives import check_register, views

app_name = "archives"

urlpatterns = [
    path("archives/settings/", views.settings_page, name="settings"),
    path("archive-items/register.pdf", views.filing_register_pdf, name="register_pdf"),
    path("dossiers/catalogue.pdf", views.catalogue_pdf, name="catalogue_pdf"),
    path("cabinets/<int:pk>/check/", views.cabinet_check, name="cabinet_check"),
    path("archives/cabinet-checks/", check_register.register, name="check_register"),
    path(
        "archives/cabinet-checks/export/",
        check_register.register_export,
        name="check_register_export",
    ),
    path("cabinets/<int:pk>/index.pdf", views.cabinet_index_pdf, name="cabinet_index_pdf"),
    path("dossiers/<int:pk>/label.pdf", views.folder_label_pdf, name="folder_label_pdf"),
    path(
        "dossiers/<int:pk>/catalogue.pdf", views.dossier_catalogue_pdf, name="dossier_catalogue_pdf"
    ),
    path("dossiers/<int:pk>/holds/", views.place_hold, name="place_hold"),
    path("dossiers/<int:pk>/review/", views.dossier_review, name="dossier_review"),
    path("holds/<int:pk>/lift/", views.lift_hold, name="lift_hold"),
    path("archives/disposition/", views.disposition, name="disposition"),
    path("archives/transfers/", views.transfer_list, name="transfers"),
    path("archives/loans/", views.loan_list, name="loans"),
    path("archives/loans/request/", views.loan_request, name="loan_request"),
    path("archives/loans/<int:pk>/", views.loan_detail, name="loan"),
    path("archives/loans/<int:pk>/slip.pdf", views.loan_slip_pdf, name="loan_slip_pdf"),
    path("archives/destructions/", views.destructions, name="destructions"),
    path("archives/destructions/<int:pk>/", views.destruction, name="destruction"),
    path(
        "archives/destructions/<int:pk>/register.pdf", views.destruction_pdf, name="destruction_pdf"
    ),
]
