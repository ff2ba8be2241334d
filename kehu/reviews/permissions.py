"""Who does what in the register review: account managers review their own customers,
department heads follow their departments' progress, compliance opens and closes campaigns
and sees all of them, administrators set the months and the staleness periods."""

from kehu.core.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.ACCOUNT_MANAGER: {
        "reviews.reviewcampaign.view",
        "reviews.reviewtask.view:own",
        "reviews.reviewtask.change:own",
    },
    Role.DEPARTMENT_HEAD: {
        "reviews.reviewcampaign.view",
        "reviews.reviewtask.view",
        "reviews.reviewtask.export",
    },
    Role.COMPLIANCE: {
        "reviews.reviewcampaign.view",
        "reviews.reviewcampaign.add",
        "reviews.reviewcampaign.close",
        "reviews.reviewcampaign.export",
        "reviews.reviewtask.view",
        "reviews.reviewtask.export",
    },
    Role.GENERAL_MANAGER: {
        "reviews.reviewcampaign.view",
        "reviews.reviewtask.view",
        "reviews.reviewtask.export",
    },
    Role.SYSTEM_ADMIN: {"reviews.reviewsettings.view", "reviews.reviewsettings.change"},
    Role.AUDITOR: {"reviews.*.view", "reviews.*.export"},
}
