"""Who may do what with interactions: whoever reads the customer reads its communication log;
account managers record and edit it for the customers they own, department heads for the
department's; auditors read everything. Complaints stay with the business department, the
general manager (who approves their results) and the auditor."""

from kehu.core.models import Role

SURVEY_TEMPLATES_READ = {
    "interactions.surveytemplate.view",
    "interactions.surveyitem.view",
    # The standard letters a complaint's reply starts from.
    "interactions.complaintreplytemplate.view",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    # The administrator builds the survey templates (no customer data).
    # The administrator builds the survey templates and keeps the complaint reply letters
    # (no customer data).
    Role.SYSTEM_ADMIN: {
        "interactions.surveytemplate.*",
        "interactions.surveyitem.*",
        "interactions.complaintreplytemplate.*",
    },
    Role.AUDITOR: {"interactions.*.view", "interactions.*.export"},
    # Not "interactions.interaction.*": personal notes are the account manager's only.
    Role.DEPARTMENT_HEAD: {
        "interactions.interaction.view",
        "interactions.interaction.add",
        "interactions.interaction.change",
        "interactions.interaction.export",
        "interactions.complaint.view",
        "interactions.complaint.add",
        "interactions.complaint.change",
        "interactions.complaint.export",
        "interactions.survey.view",
        "interactions.survey.add",
        "interactions.survey.change",
        "interactions.survey.export",
        "interactions.correctiveaction.view",
        "interactions.correctiveaction.add",
        "interactions.correctiveaction.change",
        "interactions.correctiveaction.export",
        # The survey analysis report of the department, for the general manager's approval.
        "interactions.surveyreport.view",
        "interactions.surveyreport.add",
        "interactions.surveyreport.change",
        "interactions.surveyreport.export",
        "interactions.customerresearch.view",
        "interactions.customerresearch.add",
        "interactions.customerresearch.change",
        "interactions.customerresearch.export",
        # 业务经理评定: the head evaluates research and voids what proves inaccurate.
        "interactions.customerresearch.evaluate",
        "interactions.visitplan.view",
        "interactions.visitplan.add",
        "interactions.visitplan.change",
        "interactions.visitplan.export",
        "interactions.serviceticket.view",
        "interactions.serviceticket.add",
        "interactions.serviceticket.change",
        "interactions.serviceticket.export",
        "interactions.purchase.view",
        "interactions.purchase.add",
        "interactions.purchase.change",
        "interactions.purchase.export",
    }
    | SURVEY_TEMPLATES_READ,
    Role.GENERAL_MANAGER: {
        "interactions.interaction.view",
        "interactions.interaction.export",
        "interactions.complaint.view",
        "interactions.complaint.export",
        # Survey results and the corrective actions (seed 003).
        "interactions.survey.view",
        "interactions.survey.export",
        "interactions.correctiveaction.view",
        "interactions.correctiveaction.add",
        "interactions.correctiveaction.change",
        "interactions.correctiveaction.export",
        # Approves the survey analysis reports (on the workflow) and reads them.
        "interactions.surveyreport.view",
        "interactions.surveyreport.export",
        "interactions.customerresearch.view",
        "interactions.customerresearch.export",
        "interactions.visitplan.view",
        "interactions.visitplan.export",
        "interactions.serviceticket.view",
        "interactions.serviceticket.export",
        "interactions.purchase.view",
        "interactions.purchase.export",
    }
    | SURVEY_TEMPLATES_READ,
    Role.ACCOUNT_MANAGER: {
        "interactions.interaction.view",
        "interactions.interaction.add",
        "interactions.interaction.change:own",
        # Personal notes on the contacts: the account manager only, as the extended profile.
        "interactions.interaction.personal:own",
        # Complaints reach the business department (seed 003): its account managers record
        # and follow them; compliance and credit do not see them.
        "interactions.complaint.view",
        "interactions.complaint.add",
        "interactions.complaint.change:own",
        # Surveys are sent to the account manager, who records the customer's answers (and
        # may send one to a customer of their own).
        "interactions.survey.view",
        "interactions.survey.add",
        "interactions.survey.change:own",
        "interactions.correctiveaction.view",
        # The approved report goes out to the departments (seed 003).
        "interactions.surveyreport.view",
        # Customer research (客户调研): kept from competitors, so not outside the department.
        "interactions.customerresearch.view",
        "interactions.customerresearch.add",
        "interactions.customerresearch.change:own",
        # The visit plan: the department's, planned for the customers they own.
        "interactions.visitplan.view",
        "interactions.visitplan.add",
        "interactions.visitplan.change:own",
        "interactions.serviceticket.view",
        "interactions.serviceticket.add",
        "interactions.serviceticket.change:own",
        "interactions.purchase.view",
        "interactions.purchase.add",
        "interactions.purchase.change:own",
    }
    | SURVEY_TEMPLATES_READ,
    Role.COMPLIANCE: {"interactions.interaction.view"},
    Role.CREDIT_MANAGER: {"interactions.interaction.view"},
}
