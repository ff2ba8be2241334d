from django.urls import path

from kehu.ops import reminder_views, views

app_name = "ops"

urlpatterns = [
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox-retry"),
    path("due/", reminder_views.due_list, name="due"),
    path("due/panel/", reminder_views.due_panel, name="due-panel"),
    path("reminders/", reminder_views.reminder_settings, name="reminder-settings"),
]
