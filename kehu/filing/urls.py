from django.urls import path

from kehu.filing import admin_views, views

app_name = "filing"

urlpatterns = [
    path("filings/", views.filing_list, name="list"),
    path("watch-list/import/", admin_views.import_watchlist, name="watchlist_import"),
]
