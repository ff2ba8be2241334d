"""Interactions with a customer (往来记录): the communication log with its follow-ups. Each
entry belongs to the customer's unit and owner for visibility, as the customer does."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.models import TrackedModel


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    EXHIBITION = "exhibition", _("Exhibition")


class Interaction(TrackedModel):
    """One contact with the customer: when, how, who took part, what was said and needed, and
    the follow-up it calls for (reminded until done)."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="interactions",
        verbose_name=_("customer"),
    )
    occurred_at = models.DateTimeField(_("date and time"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200)
    our_participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("our participants"),
    )
    contacts = models.ManyToManyField(
        "customers.Contact",
        blank=True,
        related_name="interactions",
        verbose_name=_("the customer's contacts"),
    )
    content = models.TextField(_("content"), blank=True)
    needs = models.TextField(_("needs expressed"), blank=True)
    follow_up = models.TextField(_("follow-up action"), blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("follow-up by"),
    )
    follow_up_done_at = models.DateTimeField(_("follow-up done at"), null=True, blank=True)
    # Which project of the customer this concerns, once contracts keep projects.
    project_ref = models.CharField(_("project"), max_length=100, blank=True)
    # Private observations about the contacts (consent-gated like the extended profile).
    personal_note = models.TextField(_("personal note"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("communication")
        verbose_name_plural = _("communication log")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            # The card's timeline: one customer's newest first, optionally one channel.
            models.Index(fields=["customer", "-occurred_at", "-id"], name="int_customer_time"),
            models.Index(
                fields=["customer", "channel", "-occurred_at", "-id"], name="int_customer_channel"
            ),
            models.Index(
                fields=["follow_up_due"],
                name="int_follow_up_open",
                condition=models.Q(follow_up_done_at__isnull=True, follow_up_due__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.subject}"

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up_due is not None and self.follow_up_done_at is None


class ComplaintRoute(models.TextChoices):
    """The two routes of a complaint (seed 003, 客户投诉管理)."""

    # 服务质量不达标: the business department organises, the production department joins.
    SERVICE_STANDARD = "service_standard", _("Service quality below the standard")
    # 服务过程中的不满意: the responsible department handles it.
    SERVICE_PROCESS = "service_process", _("Dissatisfaction during the service")


class ComplaintCategory(models.TextChoices):
    QUALITY = "quality", _("Product or service quality")
    DELIVERY = "delivery", _("Delivery and schedule")
    ATTITUDE = "attitude", _("Staff attitude")
    PRICE = "price", _("Price and billing")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    HANDLING = "handling", _("Being handled")
    APPROVAL = "approval", _("Awaiting the general manager's approval")
    REPLY = "reply", _("Approved, reply due")
    CONFIRMATION = "confirmation", _("Replied, awaiting the customer's confirmation")
    CLOSED = "closed", _("Closed")


class Complaint(TrackedModel):
    """A customer's complaint, handled as a workflow case: handling by the responsible
    department (with the production department on the service-standard route), approval of
    the result by the general manager, the reply letter, the customer's confirmation."""

    number = models.CharField(_("complaint number"), max_length=40, blank=True, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("customer"),
    )
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    content = models.TextField(_("content of the complaint"))
    category = models.CharField(_("category"), max_length=20, choices=ComplaintCategory.choices)
    route = models.CharField(_("route"), max_length=30, choices=ComplaintRoute.choices)
    handling_unit = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handling department"),
    )
    production_unit = models.ForeignKey(
        "core.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("production department"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.HANDLING,
    )
    measures = models.TextField(_("handling steps"), blank=True)
    production_opinion = models.TextField(_("production department's measures"), blank=True)
    result = models.TextField(_("result"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    reply_text = models.TextField(_("reply to the customer"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("replied by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed by the customer at"), null=True, blank=True)
    confirmation_note = models.TextField(_("the customer's confirmation"), blank=True)
    case = models.OneToOneField(
        "workflow.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("case"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-received_on", "-id"], name="complaint_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.get_category_display()}"


class SurveyKind(models.TextChoices):
    SATISFACTION = "satisfaction", _("Customer satisfaction")
    PRODUCT_USE = "product_use", _("Product-use feedback")
    PRODUCT_QUALITY = "product_quality", _("Product-quality tracking")


class Scale(models.TextChoices):
    FIVE = "five", _("1–5 scale")
    NPS = "nps", _("Recommendation 0–10 (NPS)")
    TEXT = "text", _("Free text")


SCALE_RANGE = {Scale.FIVE: (1, 5), Scale.NPS: (0, 10)}


class SurveyTemplate(TrackedModel):
    """A questionnaire an administrator builds: its items follow, one per line."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SurveyKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # The yearly round (INT-4): from this month on, every active customer without this year's
    # survey of the template gets one (blank: sent by hand only).
    round_month = models.PositiveSmallIntegerField(
        _("yearly round from month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Every active customer is surveyed each year from this month on."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SurveyItem(TrackedModel):
    """One question of a template; `target` is the CSAT (or NPS) below which a corrective
    action opens."""

    template = models.ForeignKey(
        SurveyTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("template")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    label = models.CharField(_("question"), max_length=200)
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices)
    target = models.DecimalField(_("target"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("survey item")
        verbose_name_plural = _("survey items")
        ordering = ["template", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.template}: {self.label}"


class SurveyStatus(models.TextChoices):
    SENT = "sent", _("Sent to the account manager")
    ANSWERED = "answered", _("Answered")


class Survey(TrackedModel):
    """One customer's questionnaire of one year: a task for the account manager, who records
    the customer's answers by the due date."""

    template = models.ForeignKey(
        SurveyTemplate, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("template")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("customer"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("account manager"),
    )
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=SurveyStatus.choices, default=SurveyStatus.SENT
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    respondent = models.CharField(_("respondent"), max_length=100, blank=True)
    comment = models.TextField(_("comments"), blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "customer", "year"], name="survey_once_a_year"
            )
        ]
        indexes = [models.Index(fields=["customer", "-created_at"], name="survey_customer")]

    def __str__(self) -> str:
        return f"{self.template} {self.year} · {self.customer}"


class SurveyAnswer(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(SurveyItem, on_delete=models.PROTECT, related_name="answers")
    score = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "item"], name="survey_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.item.label}: {self.text if self.score is None else self.score}"


class CorrectiveStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class CorrectiveAction(TrackedModel):
    """纠正预防措施: opened when an item's result of a year falls below its target."""

    item = models.ForeignKey(
        SurveyItem, on_delete=models.PROTECT, related_name="actions", verbose_name=_("item")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    measured = models.DecimalField(_("result"), max_digits=5, decimal_places=1)
    target = models.DecimalField(_("target"), max_digits=5, decimal_places=1)
    description = models.TextField(_("measures"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible"),
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CorrectiveStatus.choices, default=CorrectiveStatus.OPEN
    )

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "year", "unit"], name="corrective_once_per_item_year_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item.label} {self.year} · {self.unit}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVAL = "approval", _("Awaiting the general manager's approval")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")


class SurveyReport(TrackedModel):
    """顾客满意度调查分析报告: a template's results of a year for a department (and those
    below it), with the analysis; a draft until sent to the general manager, who approves it
    before it goes out. The figures are kept as sent, so the approved report reads as it was
    approved."""

    number = models.CharField(_("report number"), max_length=40, blank=True, db_index=True)
    template = models.ForeignKey(
        SurveyTemplate, on_delete=models.PROTECT, related_name="reports",
        verbose_name=_("template"),
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    analysis = models.TextField(_("analysis and conclusions"))
    # {"overall": [{"item", "scale", "n", "mean", "csat", "nps", "target"}, …],
    #  "units": [{"unit", "results": […]}], "comments": [{"customer", "item", "text"}, …]}
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("author"),
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("approved by"),
    )  # fmt: skip
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for the return"), blank=True)
    case = models.ForeignKey(
        "workflow.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("case"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("survey analysis report")
        verbose_name_plural = _("survey analysis reports")
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "year", "unit"], name="survey_report_once_per_unit_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.template} {self.year}"


class ComplaintReplyTemplate(TrackedModel):
    """回复客户的标准函 for complaints: a standard letter an administrator keeps, with the
    complaint's data in place of {customer}, {number}, {received}, {category}, {result} and
    {date}; offered when the reply is written (for one route, or for both)."""

    title = models.CharField(_("title"), max_length=100, unique=True)
    route = models.CharField(
        _("route"), max_length=30, choices=ComplaintRoute.choices, blank=True,
        help_text=_("Blank: offered on both routes."),
    )  # fmt: skip
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("complaint reply letter")
        verbose_name_plural = _("complaint reply letters")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CustomerResearch(TrackedModel):
    """客户调研: who decides at the customer and with what weight, who supplies it now (our
    competitors), what it needs, where to start and the plan. The personal part counts as
    complete at 50 %, the current-partner part at 70 %; signed by its author, evaluated by
    the head, voided when found inaccurate."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="research",
        verbose_name=_("customer"),
    )
    researched_on = models.DateField(_("researched on"))
    # [{"rank": 1, "name", "gender", "title", "phone", "weight", "birthday", …}, …]
    decision_makers = models.JSONField(_("decision-makers"), default=list, blank=True)
    # [{"name", "products", "share", "price_level", "strengths", "weaknesses", …}, …]
    suppliers = models.JSONField(_("current suppliers"), default=list, blank=True)
    demand_analysis = models.TextField(_("product demand analysis"), blank=True)
    entry_points = models.TextField(_("entry-point analysis"), blank=True)
    action_plan = models.TextField(_("action plan"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("author"),
    )  # fmt: skip
    signed_at = models.DateTimeField(_("signed by the author at"), null=True, blank=True)
    evaluation = models.TextField(_("head's evaluation"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("evaluated by"),
    )  # fmt: skip
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.TextField(_("reason for voiding"), blank=True)

    class Meta:
        verbose_name = _("customer research")
        verbose_name_plural = _("customer research")
        ordering = ["-researched_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.customer} · {self.researched_on}"


class VisitKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    SPRING_FESTIVAL = "spring_festival", _("Spring Festival greeting")
    MID_AUTUMN = "mid_autumn", _("Mid-Autumn greeting")
    ANNIVERSARY = "anniversary", _("Anniversary")
    EVENT = "event", _("Event")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class VisitPlan(TrackedModel):
    """A planned visit or greeting (关系维护): reminded to its account manager; once done it
    is recorded in the communication log."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="visit_plans",
        verbose_name=_("customer"),
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=20, choices=VisitKind.choices)
    planned_on = models.DateField(_("planned on"))
    purpose = models.CharField(_("purpose"), max_length=200)
    planner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("account manager"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    communication = models.OneToOneField(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("communication"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        ordering = ["planned_on", "pk"]
        indexes = [
            models.Index(fields=["planner", "status", "planned_on"], name="visit_planner"),
            models.Index(fields=["customer", "-planned_on"], name="visit_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.planned_on} {self.get_kind_display()} · {self.customer}"


class ProblemType(models.TextChoices):
    NETWORK = "network", _("Network")
    HARDWARE = "hardware", _("Hardware fault")
    SOFTWARE = "software", _("Software")
    ACCOUNT = "account", _("Account and access")
    OTHER = "other", _("Other")


class TicketStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class ServiceTicket(TrackedModel):
    """A service ticket (IT support style): the problem, who handles it (and their staff
    number), start and end, the steps taken, the solution and the customer's satisfaction;
    the SLA counts working hours from the start."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tickets",
        verbose_name=_("customer"),
    )  # fmt: skip
    problem_type = models.CharField(_("problem type"), max_length=20, choices=ProblemType.choices)
    description = models.TextField(_("description"))
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("handler"),
    )  # fmt: skip
    handler_staff_no = models.CharField(_("staff number"), max_length=30, blank=True)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    steps = models.TextField(_("steps taken"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    solution = models.TextField(_("solution"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    sla_hours = models.PositiveSmallIntegerField(_("SLA (working hours)"), default=8)
    due_at = models.DateTimeField(_("due by (SLA)"), null=True, blank=True)
    breached = models.BooleanField(_("SLA breached"), default=False)

    class Meta:
        verbose_name = _("service ticket")
        verbose_name_plural = _("service tickets")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-started_at"], name="ticket_customer")]

    def __str__(self) -> str:
        return f"{self.get_problem_type_display()} · {self.customer} · {self.started_at:%Y-%m-%d}"


class Purchase(TrackedModel):
    """A purchase by the customer (交易记录): what, how many, at what price, on which order."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="purchases",
        verbose_name=_("customer"),
    )  # fmt: skip
    purchased_on = models.DateField(_("date"))
    product = models.CharField(_("product or service"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    order_number = models.CharField(_("order number"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-purchased_on", "-pk"]
        indexes = [models.Index(fields=["customer", "-purchased_on"], name="purchase_customer")]
        constraints = [
            # A re-imported file adds nothing twice.
            models.UniqueConstraint(
                fields=["customer", "order_number", "product"],
                condition=~models.Q(order_number=""),
                name="purchase_once_per_order_line",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purchased_on} {self.product}"
