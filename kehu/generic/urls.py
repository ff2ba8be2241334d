"""URL patterns for every registered record type: /<slug>/, /<slug>/add/, /<slug>/<pk>/, …"""

from django.urls import URLPattern, path

from kehu.generic import registry, views

app_name = "generic"


def _patterns() -> list[URLPattern]:
    patterns = []
    for rt in registry.all_types():
        kwargs = {"record_type": rt}
        patterns += [
            path(f"{rt.slug}/", views.RecordListView.as_view(**kwargs), name=f"{rt.slug}_list"),
            path(
                f"{rt.slug}/export.xlsx",
                views.RecordExportView.as_view(**kwargs),
                name=f"{rt.slug}_export",
            ),
            path(
                f"{rt.slug}/export.csv",
                views.RecordExportView.as_view(fmt="csv", **kwargs),
                name=f"{rt.slug}_export_csv",
            ),
            path(f"{rt.slug}/add/", views.RecordEditView.as_view(**kwargs), name=f"{rt.slug}_add"),
            path(
                f"{rt.slug}/<int:pk>/",
                views.RecordDetailView.as_view(**kwargs),
                name=f"{rt.slug}_detail",
            ),
            path(
                f"{rt.slug}/<int:pk>/edit/",
                views.RecordEditView.as_view(**kwargs),
                name=f"{rt.slug}_edit",
            ),
        ]
    return patterns


urlpatterns = _patterns()
