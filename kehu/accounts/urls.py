from django.urls import path

from kehu.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("password/", views.change_password, name="change_password"),
]
