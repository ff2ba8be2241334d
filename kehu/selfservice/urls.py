from django.urls import path

from kehu.selfservice import views

app_name = "selfservice"

urlpatterns = [
    path("u/<str:token>/", views.page, name="page"),
    path("customers/<int:pk>/update-links/", views.send, name="send"),
    path("update-links/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("update-links/files/<int:pk>/", views.proof, name="proof"),
]
