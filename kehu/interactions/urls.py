from django.urls import path

from kehu.interactions import views

app_name = "interactions"

urlpatterns = [
    path("customers/<int:pk>/timeline/", views.customer_timeline, name="timeline"),
    path("interactions/<int:pk>/follow-up-done/", views.follow_up_done, name="follow_up_done"),
    path("complaints/<int:pk>/reply/", views.complaint_reply, name="complaint_reply"),
    path("complaints/<int:pk>/reply.pdf", views.reply_letter, name="reply_letter"),
    path("visit-plans/<int:pk>/done/", views.visit_done, name="visit_done"),
    path("purchases/import/", views.purchase_import, name="purchase_import"),
    path("surveys/send/", views.survey_send, name="survey_send"),
    path("surveys/results/", views.survey_results, name="survey_results"),
    path("surveys/results.xlsx", views.survey_results_xlsx, name="survey_results_xlsx"),
    path("survey-reports/<int:pk>/report.pdf", views.survey_report_pdf, name="survey_report_pdf"),
    path(
        "survey-reports/<int:pk>/submit/", views.survey_report_submit, name="survey_report_submit"
    ),
    path("surveys/<int:pk>/answer/", views.survey_answer, name="survey_answer"),
    path("surveys/<int:pk>/form.pdf", views.survey_form, name="survey_form"),
    *(
        path(
            f"customer-research/<int:pk>/{action}/",
            views.research_action,
            {"action": action},
            name=f"research_{action}",
        )
        for action in ("sign", "evaluate", "void")
    ),
]
