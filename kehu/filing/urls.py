from django.urls import path

from kehu.filing import admin_views, views

app_name = "filing"

urlpatterns = [
    path("filings/", views.filing_list, name="list"),
    path("filings/new/", views.new_customer_filing, name="new"),
    path("filings/<int:pk>/", views.filing_detail, name="detail"),
    path("filings/<int:pk>/form.pdf", views.filing_pdf, name="pdf"),
    path("filings/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("filings/<int:pk>/signatory/", views.set_signatory, name="signatory"),
    path("filings/<int:pk>/<slug:action>/", views.act, name="act"),
    path("customers/<int:customer_pk>/filing/", views.open_for_customer, name="open"),
    path("watch-list/import/", admin_views.import_watchlist, name="watchlist_import"),
    path("watch-list/hits/<int:pk>/clear/", views.clear_hit, name="clear_hit"),
]
