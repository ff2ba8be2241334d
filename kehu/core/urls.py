from django.urls import path

from kehu.core import limits, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("users/<int:pk>/roles/", views.grant_role, name="grant_role"),
    path("users/<int:pk>/roles/<int:assignment_pk>/revoke/", views.revoke_role, name="revoke_role"),
    path("users/<int:pk>/unlock/", views.unlock, name="unlock"),
    path("users/<int:pk>/certification/", views.certification, name="certification"),
    path("users/<int:pk>/password/", views.reset_password, name="reset_password"),
    path("users/<int:pk>/totp-reset/", views.reset_totp, name="reset_totp"),
    path("security-policy/", views.security_policy, name="security_policy"),
    path("dashboard/<slug:slug>/", views.dashboard_panel, name="dashboard_panel"),
    path("notifications/", views.notifications, name="notifications"),
    path("access-limits/", limits.access_limits, name="access_limits"),
]
