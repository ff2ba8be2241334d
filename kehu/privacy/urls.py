from django.urls import path

from kehu.privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/reveal/<str:label>/<int:pk>/<str:field>/", views.reveal, name="reveal"),
]
