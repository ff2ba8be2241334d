from django.urls import path

from kehu.credit import (
    application_views,
    edit_views,
    investigation_views,
    limit_views,
    postcredit_views,
    views,
)

app_name = "credit"

urlpatterns = [
    path("credit/", views.register, name="register"),
    path("credit/register.xlsx", views.register_export, name="register_export"),
    path("credit/import/", views.import_items, name="import"),
    path("credit/customers/<int:pk>/", views.customer_credit, name="customer"),
    path("credit/customers/<int:pk>/review/", views.review, name="review"),
    path("credit/customers/<int:pk>/statements/", views.statements_page, name="statements"),
    path("credit/customers/<int:pk>/override/", views.override, name="override"),
    path("credit/overrides/<int:pk>/end/", views.override_end, name="override_end"),
    path(
        "credit/customers/<int:pk>/limit-request/",
        limit_views.limit_request_new,
        name="limit_request_new",
    ),
    path("credit/limit-requests/<int:pk>/", limit_views.limit_request_detail, name="limit_request"),
    path(
        "credit/limit-requests/<int:pk>/approval.pdf",
        limit_views.approval_table_pdf,
        name="approval_pdf",
    ),
    path(
        "credit/limit-requests/<int:pk>/notice.pdf",
        limit_views.notification_letter_pdf,
        name="notice_pdf",
    ),
    path(
        "credit/customers/<int:pk>/application/",
        application_views.application_new,
        name="application_new",
    ),
    path("credit/applications/<int:pk>/", application_views.application_detail, name="application"),
    path(
        "credit/applications/<int:pk>/section/",
        application_views.section_save,
        name="section_save",
    ),
    path("credit/applications/<int:pk>/sign/", application_views.report_sign, name="report_sign"),
    path(
        "credit/applications/<int:pk>/site-visit/",
        investigation_views.site_visit,
        name="site_visit",
    ),
    path(
        "credit/applications/<int:pk>/site-visit/photo/",
        investigation_views.site_visit_photo,
        name="site_visit_photo",
    ),
    path(
        "credit/applications/<int:pk>/related-parties/",
        investigation_views.related_party_add,
        name="related_party_add",
    ),
    path(
        "credit/related-parties/<int:pk>/remove/",
        investigation_views.related_party_remove,
        name="related_party_remove",
    ),
    path(
        "credit/applications/<int:pk>/application.pdf",
        investigation_views.application_pdf,
        name="application_pdf",
    ),
    path(
        "credit/applications/<int:pk>/site-visit.pdf",
        investigation_views.site_visit_pdf,
        name="site_visit_pdf",
    ),
    path("credit/problems/<int:pk>/report.pdf", postcredit_views.problem_pdf, name="problem_pdf"),
    path(
        "credit/applications/<int:pk>/report.pdf",
        investigation_views.report_pdf,
        name="report_pdf",
    ),
    path(
        "credit/customers/<int:pk>/post-credit/", postcredit_views.post_credit, name="post_credit"
    ),
    path(
        "credit/customers/<int:pk>/letters/<int:template_pk>.pdf",
        postcredit_views.reply_letter_pdf,
        name="reply_letter",
    ),
    path(
        "credit/account-statements/<int:pk>/file/",
        postcredit_views.statement_file,
        name="statement_file",
    ),
    path("credit/reply-letters/", postcredit_views.reply_templates, name="reply_templates"),
    path(
        "credit/reply-letters/<int:pk>/",
        postcredit_views.reply_templates,
        name="reply_template",
    ),
    path("credit/limit-bands/", limit_views.limit_bands, name="limit_bands"),
    path("credit/rating-scale/", edit_views.rating_scale, name="rating_scale"),
    path("credit/rating-scale/<int:pk>/", edit_views.rating_scale, name="rating_grade"),
    path("credit/statements/<int:pk>/edit/", edit_views.statement_edit, name="statement_edit"),
    path("credit/follow-ups/<int:pk>/edit/", edit_views.follow_up_edit, name="follow_up_edit"),
]
