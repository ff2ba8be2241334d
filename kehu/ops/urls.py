from django.urls import path

from kehu.ops import views

app_name = "ops"

urlpatterns = [
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox-retry"),
    path("outbox/robots/", views.robot_outbox, name="robot-outbox"),
    path("outbox/robots/<int:pk>/retry/", views.robot_message_retry, name="robot-message-retry"),
    path("chat-robots/<int:pk>/test/", views.robot_test, name="robot-test"),
]
