from django.urls import path

from kehu.reviews import views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.campaigns, name="campaigns"),
    path("reviews/settings/", views.settings_page, name="settings"),
    path("reviews/tasks/", views.tasks, name="tasks"),
    path("reviews/tasks/<int:pk>/", views.task, name="task"),
    path(
        "reviews/tasks/<int:pk>/confirm/",
        views.task_answer,
        {"answer": "confirm"},
        name="task_confirm",
    ),
    path(
        "reviews/tasks/<int:pk>/correct/",
        views.task_answer,
        {"answer": "correct"},
        name="task_correct",
    ),
    path("reviews/<int:pk>/", views.campaign, name="campaign"),
    path("reviews/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path(
        "reviews/<int:pk>/report.xlsx", views.campaign_report, {"fmt": "xlsx"}, name="report_xlsx"
    ),
    path("reviews/<int:pk>/report.pdf", views.campaign_report, {"fmt": "pdf"}, name="report_pdf"),
]
