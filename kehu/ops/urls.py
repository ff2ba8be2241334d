from django.urls import path

from kehu.ops import reminder_views, views

app_name = "ops"

urlpatterns = [
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox-retry"),
    path("outbox/robots/", views.robot_outbox, name="robot-outbox"),
    path("outbox/robots/<int:pk>/retry/", views.robot_message_retry, name="robot-message-retry"),
    path("chat-robots/<int:pk>/test/", views.robot_test, name="robot-test"),
    path("outbox/webhooks/", views.webhook_deliveries, name="webhook-deliveries"),
    path(
        "outbox/webhooks/<int:pk>/retry/",
        views.webhook_delivery_retry,
        name="webhook-delivery-retry",
    ),
    path("due/", reminder_views.due_list, name="due"),
    path("due/panel/", reminder_views.due_panel, name="due-panel"),
    path("reminders/", reminder_views.reminder_settings, name="reminder-settings"),
]
