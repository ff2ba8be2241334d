from django.urls import path

from kehu.workflow import views

app_name = "workflow"

urlpatterns = [
    path("tasks/", views.tasks, name="tasks"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/comment/", views.comment, name="comment"),
    path("steps/<int:pk>/complete/", views.complete, name="complete"),
    path("steps/<int:pk>/wait/", views.wait, name="wait"),
    path("steps/<int:pk>/resume/", views.resume, name="resume"),
]
