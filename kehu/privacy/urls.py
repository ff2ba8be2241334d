from django.urls import path

from kehu.privacy import disclosure_views, purpose_views, register, tier_views, views

app_name = "privacy"

urlpatterns = [
    path("privacy/grants/", views.grant_list, name="grants"),
    path("privacy/grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("customers/<int:pk>/grants/new/", views.grant_new, name="grant_new"),
    path("privacy/consents/<str:label>/<int:pk>/new/", views.consent_new, name="consent_new"),
    path("privacy/consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("privacy/consents/<int:pk>/evidence/", views.consent_evidence, name="consent_evidence"),
    path(
        "privacy/marketing/<str:label>/<int:pk>/", views.marketing_contact, name="marketing_contact"
    ),
    path("privacy/profiles/<int:pk>/", views.profile_view, name="profile"),
    path("privacy/profiles/<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("privacy/retention/", views.retention_settings, name="retention"),
    path("privacy/tiers/", tier_views.tier_settings, name="tiers"),
    path("privacy/requests/", views.request_list, name="requests"),
    path("privacy/requests/<int:pk>/", views.request_detail, name="request"),
    path("privacy/requests/<int:pk>/package/", views.request_package, name="request_package"),
    path("privacy/requests/<str:label>/<int:pk>/new/", views.request_new, name="request_new"),
    path("privacy/purpose/", purpose_views.declare_purpose, name="purpose"),
    path("privacy/reveal/<str:label>/<int:pk>/<str:field>/", views.reveal, name="reveal"),
    path("privacy/disclosures/", disclosure_views.disclosure_register, name="disclosures"),
    path("privacy/disclosures/<int:pk>/", disclosure_views.disclosure_detail, name="disclosure"),
    path(
        "privacy/disclosures/<int:pk>/provide/",
        disclosure_views.disclosure_provide,
        name="disclosure_provide",
    ),
    path(
        "privacy/disclosures/<int:pk>/agreement/",
        disclosure_views.disclosure_agreement,
        name="disclosure_agreement",
    ),
    path(
        "customers/<int:pk>/disclosures/new/",
        disclosure_views.disclosure_new,
        name="disclosure_new",
    ),
    path("privacy/grant-register/", register.register, name="grant_register"),
    path(
        "privacy/grant-register/export.xlsx",
        register.register_export,
        name="grant_register_export",
    ),
]
