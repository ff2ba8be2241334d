from django.urls import path

from kehu.interactions import views

app_name = "interactions"

urlpatterns = [
    path("customers/<int:pk>/timeline/", views.customer_timeline, name="timeline"),
    path("interactions/<int:pk>/follow-up-done/", views.follow_up_done, name="follow_up_done"),
    path("complaints/<int:pk>/reply/", views.complaint_reply, name="complaint_reply"),
    path("complaints/<int:pk>/reply.pdf", views.reply_letter, name="reply_letter"),
]
