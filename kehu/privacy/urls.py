from django.urls import path

from kehu.privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/grants/", views.grant_list, name="grants"),
    path("privacy/grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("customers/<int:pk>/grants/new/", views.grant_new, name="grant_new"),
    path("privacy/reveal/<str:label>/<int:pk>/<str:field>/", views.reveal, name="reveal"),
]
