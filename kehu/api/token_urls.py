from django.urls import path

from kehu.api import tokens

app_name = "tokens"

urlpatterns = [
    path("", tokens.my_tokens, name="mine"),
    path("all/", tokens.all_tokens, name="all"),
    path("<int:pk>/revoke/", tokens.revoke, name="revoke"),
]
