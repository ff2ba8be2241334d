from django.urls import path

from kehu.documents import views

app_name = "documents"

urlpatterns = [
    path("customers/<int:customer_pk>/documents/upload/", views.upload, name="upload"),
    path("documents/expiring/", views.expiring, name="expiring"),
    path("documents/integrity/", views.integrity, name="integrity"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/versions/<int:pk>/download/", views.download, name="download"),
    path("documents/versions/<int:pk>/preview/", views.preview, name="preview"),
    path("documents/versions/<int:pk>/attest/", views.attest, name="attest"),
]
