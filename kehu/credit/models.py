"""The credit file (信用档案) of a customer: its receivables and open orders, the credit
account that sums them against the granted limit (the one row the credit check reads), the
limits granted over time, and the controller's overrides of a credit hold."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.models import TrackedModel

ZERO = Decimal("0.00")


def amount_field(verbose_name: str | object, **kwargs: object) -> models.DecimalField:
    """An amount in 元 with two decimals, never negative."""
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
        **kwargs,  # type: ignore[arg-type]
    )


class HoldReason(models.TextChoices):
    OVER_LIMIT = "over_limit", _("Exposure above the credit limit")
    OVERDUE = "overdue", _("Overdue above the allowance")
    NO_LIMIT = "no_limit", _("No credit limit granted")


class CreditAccount(TrackedModel):
    """One customer's credit: the limits in force (maintained by the limit services) and the
    sums of its open items (maintained by the receivable and order services), so that a credit
    check reads one row; the overdue part depends on the day and is summed when asked."""

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="credit_account",
        verbose_name=_("customer"),
    )
    limit_amount = amount_field(_("credit limit"))
    payment_days = models.PositiveIntegerField(_("payment terms (days)"), default=0)
    overdue_allowed = amount_field(_("overdue amount allowed"))
    temporary_amount = amount_field(_("temporary limit"))
    temporary_until = models.DateField(_("temporary limit valid until"), null=True, blank=True)
    rating = models.CharField(_("credit rating"), max_length=8, blank=True)
    open_receivables = amount_field(_("open receivables"))
    open_orders = amount_field(_("open orders"))
    # The earliest due date among unpaid invoices: the account may fall overdue from that day.
    earliest_due = models.DateField(_("earliest due date"), null=True, blank=True)
    held = models.BooleanField(_("credit hold"), default=False)
    hold_reasons = models.JSONField(_("hold reasons"), default=list, blank=True)
    held_since = models.DateTimeField(_("held since"), null=True, blank=True)
    # The annual credit review's deadline (a working day), set when a limit is granted.
    next_review_on = models.DateField(_("next review due"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")
        indexes = [models.Index(fields=["held", "customer"], name="credit_account_held")]

    def __str__(self) -> str:
        return str(self.customer)

    @property
    def exposure(self) -> Decimal:
        return self.open_receivables + self.open_orders

    def effective_limit(self, today: datetime.date) -> Decimal:
        """The limit plus a temporary limit still valid on `today`."""
        temporary = (
            self.temporary_amount
            if self.temporary_until is not None and self.temporary_until >= today
            else ZERO
        )
        return self.limit_amount + temporary


class Receivable(models.Model):
    """An open or paid invoice of the customer (from the finance system's file or API)."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="receivables",
        verbose_name=_("customer"),
    )
    invoice_number = models.CharField(_("invoice number"), max_length=40, unique=True)
    invoice_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    amount = amount_field(_("amount"))
    paid = amount_field(_("paid"))
    open_amount = amount_field(_("open amount"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        indexes = [
            # A customer's open items by due date: ageing, the overdue sum of a credit check.
            models.Index(
                fields=["customer", "due_date"],
                condition=models.Q(open_amount__gt=0),
                name="credit_receivable_open",
            )
        ]

    def __str__(self) -> str:
        return self.invoice_number


class OpenOrder(models.Model):
    """An order accepted but not yet invoiced: part of the exposure until closed."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="open_orders",
        verbose_name=_("customer"),
    )
    order_number = models.CharField(_("order number"), max_length=40, unique=True)
    order_date = models.DateField(_("order date"))
    amount = amount_field(_("amount"))
    closed = models.BooleanField(_("closed"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("open order")
        verbose_name_plural = _("open orders")
        indexes = [
            models.Index(
                fields=["customer"], condition=models.Q(closed=False), name="credit_order_open"
            )
        ]

    def __str__(self) -> str:
        return self.order_number


class HoldOverride(models.Model):
    """A credit controller lets a held customer trade until `until`, for a stated reason."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="overrides")
    reason = models.TextField(_("reason"))
    until = models.DateField(_("valid until"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("hold override")
        verbose_name_plural = _("hold overrides")
        ordering = ["-granted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.account} → {self.until}"

    def running(self, today: datetime.date) -> bool:
        return self.ended_at is None and self.until >= today


class LimitKind(models.TextChoices):
    NEW = "new", pgettext_lazy("credit limit", "New")
    INCREASE = "increase", pgettext_lazy("credit limit", "Increase")
    DECREASE = "decrease", pgettext_lazy("credit limit", "Decrease")
    TEMPORARY = "temporary", pgettext_lazy("credit limit", "Temporary")
    REVIEW = "review", pgettext_lazy("credit limit", "Annual review")


class LimitGrant(models.Model):
    """One limit granted to a customer: the history of every limit, newest first. The
    account carries the values of the newest."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="grants")
    kind = models.CharField(_("kind"), max_length=20, choices=LimitKind.choices)
    limit_amount = amount_field(_("credit limit"))
    payment_days = models.PositiveIntegerField(_("payment terms (days)"), default=0)
    overdue_allowed = amount_field(_("overdue amount allowed"))
    temporary_amount = amount_field(_("temporary limit"))
    temporary_until = models.DateField(_("temporary limit valid until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    # The approval that granted it (a limit request's case), when there was one.
    request = models.ForeignKey(
        "credit.LimitRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("credit limit granted")
        verbose_name_plural = _("credit limits granted")
        ordering = ["-granted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.account}: {self.limit_amount}"


class LimitRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class LimitRequest(TrackedModel):
    """A request to grant or change a customer's limit, decided through the approval chain
    its amount band requires."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("kind"), max_length=20, choices=LimitKind.choices)
    limit_amount = amount_field(_("requested limit"))
    payment_days = models.PositiveIntegerField(_("payment terms (days)"), default=0)
    overdue_allowed = amount_field(_("overdue amount allowed"))
    temporary_amount = amount_field(_("temporary limit"))
    temporary_until = models.DateField(_("temporary limit valid until"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=LimitRequestStatus.choices,
        default=LimitRequestStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    case = models.OneToOneField(
        "workflow.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("credit limit request")
        verbose_name_plural = _("credit limit requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class LimitBand(models.Model):
    """One link of the limit approval chain: `role` approves every request whose amount is
    above `above` (元), in `position` order. The defaults: the credit manager always, finance
    above 50万, the general manager above 500万."""

    role = models.CharField(_("role"), max_length=30, unique=True)
    above = amount_field(_("approves amounts above"))
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        verbose_name = _("limit approval band")
        verbose_name_plural = _("limit approval bands")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.role} > {self.above}"


class RatingGrade(TrackedModel):
    """One grade of the credit rating scale (AAA…C), best first; how often a customer of
    this grade is reviewed."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    label = models.CharField(_("label"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    review_months = models.PositiveSmallIntegerField(_("reviewed every (months)"), default=12)

    class Meta:
        verbose_name = _("credit rating grade")
        verbose_name_plural = _("credit rating grades")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.code


class ApplicationStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("Under investigation")
    REPORTED = "reported", _("Report signed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CreditApplication(TrackedModel):
    """信用申请表: the account manager asks for credit for an active customer; the credit
    manager investigates and signs the credit investigation report."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    account = models.ForeignKey(
        CreditAccount, on_delete=models.PROTECT, related_name="applications"
    )
    requested_limit = amount_field(_("requested limit"))
    payment_days = models.PositiveIntegerField(_("payment terms (days)"), default=0)
    reason = models.TextField(_("reason"))
    monthly_volume = amount_field(_("expected monthly volume"))
    guarantees = models.TextField(_("guarantees"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.INVESTIGATING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The credit investigation report (资信调查报告): rating, recommendation, sign-off.
    rating = models.CharField(_("credit rating"), max_length=8, blank=True)
    recommended_limit = amount_field(_("recommended limit"))
    recommendation = models.TextField(_("recommendation"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit application")
        verbose_name_plural = _("credit applications")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class ReportSection(models.Model):
    """One section of the investigation report, drafted and saved on its own."""

    application = models.ForeignKey(
        CreditApplication, on_delete=models.CASCADE, related_name="sections"
    )
    key = models.CharField(_("section"), max_length=30)
    text = models.TextField(_("text"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        constraints = [
            models.UniqueConstraint(fields=["application", "key"], name="credit_section_once")
        ]

    def __str__(self) -> str:
        return self.key


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    HALF = "half", _("Half year")
    QUARTER = "quarter", _("Quarter")


class FigureUnit(models.TextChoices):
    YUAN = "yuan", _("yuan (元)")
    WAN = "wan", _("ten thousand yuan (万元)")


def figure_field(verbose_name: object) -> models.DecimalField:
    """A statement figure in 元 (entries in 万元 are converted), which may be negative."""
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        max_digits=18,
        decimal_places=2,
        default=ZERO,
    )


class FinancialStatement(TrackedModel):
    """A customer's balance sheet, income statement and cash flow for one period, as figures
    (stored in 元; `unit` records how they were entered)."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="statements")
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    # The half (1–2) or quarter (1–4); 0 for a year.
    part = models.PositiveSmallIntegerField(_("half or quarter"), default=0)
    unit = models.CharField(
        _("entered in"), max_length=4, choices=FigureUnit.choices, default=FigureUnit.YUAN
    )
    # Balance sheet.
    cash = figure_field(_("cash"))
    receivables = figure_field(_("accounts receivable"))
    inventory = figure_field(_("inventory"))
    current_assets = figure_field(_("current assets"))
    total_assets = figure_field(_("total assets"))
    current_liabilities = figure_field(_("current liabilities"))
    total_liabilities = figure_field(_("total liabilities"))
    equity = figure_field(_("owners' equity"))
    # Income statement.
    revenue = figure_field(_("revenue"))
    cost_of_sales = figure_field(_("cost of sales"))
    operating_profit = figure_field(_("operating profit"))
    interest_expense = figure_field(_("interest expense"))
    net_profit = figure_field(_("net profit"))
    # Cash-flow statement.
    operating_cash_flow = figure_field(_("operating cash flow"))
    investing_cash_flow = figure_field(_("investing cash flow"))
    financing_cash_flow = figure_field(_("financing cash flow"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("financial statement")
        verbose_name_plural = _("financial statements")
        ordering = ["-year", "period_kind", "-part"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period_kind", "year", "part"], name="credit_statement_once"
            )
        ]

    def __str__(self) -> str:
        return self.period_label

    @property
    def period_label(self) -> str:
        if self.period_kind == PeriodKind.YEAR:
            return f"{self.year}"
        if self.period_kind == PeriodKind.HALF:
            return f"{self.year} H{self.part}"
        return f"{self.year} Q{self.part}"


# --- post-credit management ------------------------------------------------------------------


class FollowUpKind(models.TextChoices):
    CALL = "call", _("Call record")
    COLLECTION = "collection", _("Collection call (催收)")
    DEBT_COLLECTION = "debt_collection", _("Debt-collection action")


class DebtAction(models.TextChoices):
    LAWYER_LETTER = "lawyer_letter", _("Lawyer's letter")
    LAWSUIT = "lawsuit", _("Lawsuit")
    SETTLEMENT = "settlement", _("Settlement")
    WRITE_OFF = "write_off", _("Write-off")
    OTHER = "other", _("Other action")


class FollowUp(TrackedModel):
    """A call, a collection call or a debt-collection action on the customer's account."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField(_("kind"), max_length=20, choices=FollowUpKind.choices)
    # What a debt-collection record did (empty for calls).
    action = models.CharField(
        _("debt-collection action"), max_length=20, choices=DebtAction.choices, blank=True
    )
    happened_on = models.DateField(_("date"))
    contact = models.CharField(_("contact person"), max_length=100, blank=True)
    summary = models.TextField(_("summary"))
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-happened_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_on}"


class StatementStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")


class AccountStatement(models.Model):
    """对账单: the balance sent to the customer for confirmation, and its answer."""

    account = models.ForeignKey(
        CreditAccount, on_delete=models.PROTECT, related_name="account_statements"
    )
    as_of = models.DateField(_("balance as of"))
    balance = amount_field(_("balance"))
    status = models.CharField(
        _("status"), max_length=20, choices=StatementStatus.choices, default=StatementStatus.SENT
    )
    note = models.TextField(_("note"), blank=True)
    file = models.FileField(_("file"), upload_to="credit/statements/", blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("statement of account")
        verbose_name_plural = _("statements of account")
        ordering = ["-as_of", "-pk"]

    def __str__(self) -> str:
        return f"{self.as_of} {self.balance}"


class PaymentPromise(models.Model):
    """The customer promises to pay `amount` by `promised_on`; kept or broken."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="promises")
    amount = amount_field(_("amount"))
    promised_on = models.DateField(_("promised for"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    kept = models.BooleanField(_("kept"), null=True, blank=True)  # None: not settled yet
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment promise")
        verbose_name_plural = _("payment promises")
        ordering = ["-promised_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.amount} → {self.promised_on}"

    def broken(self, today: datetime.date) -> bool:
        """Broken when so marked, or past its date without being marked kept."""
        return self.kept is False or (self.kept is None and self.promised_on < today)


class ProblemKind(models.TextChoices):
    ABNORMAL = "abnormal", _("Abnormal receivable report (收款异样报告表)")
    PROBLEM = "problem", _("Problem account report (问题帐款报告书)")


class ProblemReport(TrackedModel):
    """A report on a receivable gone wrong, approved through the workflow."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="problems")
    kind = models.CharField(_("kind"), max_length=20, choices=ProblemKind.choices)
    amount = amount_field(_("amount concerned"))
    description = models.TextField(_("description"))
    measures = models.TextField(_("proposed measures"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=LimitRequestStatus.choices,
        default=LimitRequestStatus.PENDING,
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    case = models.OneToOneField(
        "workflow.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class ReplyTemplate(TrackedModel):
    """回复客户的标准函: a standard letter an administrator keeps; printed with a customer's
    data in place of {customer}, {limit}, {exposure}, {overdue}, {date}."""

    title = models.CharField(_("title"), max_length=100, unique=True)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("standard reply letter")
        verbose_name_plural = _("standard reply letters")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ReviewOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Limit confirmed")
    CHANGED = "changed", _("Limit to change")


class CreditReview(models.Model):
    """年审评价报告: the periodic review of a customer's credit, ending in a confirmed limit
    or a limit request for the change."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="reviews")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    report = models.TextField(_("review report"))
    rating = models.CharField(_("credit rating"), max_length=8)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ReviewOutcome.choices)
    new_limit = amount_field(_("new limit"))
    limit_request = models.ForeignKey(
        LimitRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The workflow case of the review (its task with the working-day deadline).
    case = models.OneToOneField(
        "workflow.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit review")
        verbose_name_plural = _("credit reviews")
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.account} {self.reviewed_at:%Y-%m-%d}"


# --- investigation ---------------------------------------------------------------------------


class SiteVisit(TrackedModel):
    """现场调查表: what the investigator saw at the customer's premises; its photos are
    versions of the customer's site-visit photo document."""

    application = models.OneToOneField(
        CreditApplication, on_delete=models.CASCADE, related_name="site_visit"
    )
    visited_on = models.DateField(_("visited on"))
    visitors = models.CharField(_("visited by"), max_length=200)
    premises = models.TextField(_("premises"))
    staff = models.TextField(_("staff"))
    equipment = models.TextField(_("equipment"))
    stock = models.TextField(_("stock"))
    operations = models.TextField(_("operations seen"))
    conclusion = models.TextField(_("impression and conclusion"), blank=True)
    photos = models.ManyToManyField(
        "documents.DocumentVersion", blank=True, related_name="+", verbose_name=_("photos")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")

    def __str__(self) -> str:
        return f"{self.application} {self.visited_on}"


class PartyRelation(models.TextChoices):
    SHAREHOLDER = "shareholder", _("Shareholder")
    AFFILIATE = "affiliate", _("Affiliated company")
    GUARANTOR = "guarantor", _("Guarantor")


class RelatedParty(models.Model):
    """One party of the related-party survey: a customer of ours, or a party named in text."""

    application = models.ForeignKey(
        CreditApplication, on_delete=models.CASCADE, related_name="related_parties"
    )
    relation = models.CharField(_("relation"), max_length=20, choices=PartyRelation.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("our customer"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    share = models.DecimalField(
        _("shareholding (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("related party")
        verbose_name_plural = _("related parties")
        ordering = ["relation", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(customer__isnull=False) & models.Q(name=""))
                | (models.Q(customer__isnull=True) & ~models.Q(name="")),
                name="credit_party_customer_or_name",
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.customer)

    @property
    def party_name(self) -> str:
        return self.customer.name if self.customer_id else self.name  # type: ignore[union-attr]
