from django.urls import path

from kehu.backups import views

app_name = "backups"

urlpatterns = [
    path("", views.status_page, name="status"),
    path("backup/", views.start_backup, name="backup"),
    path("drill/", views.start_drill, name="drill"),
]
