"""Forms of the credit pages: the controller's override of a hold and the import of the
finance system's files."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.models import Role
from kehu.credit.models import (
    DebtAction,
    FigureUnit,
    FollowUpKind,
    LimitKind,
    PartyRelation,
    PeriodKind,
    ProblemKind,
    ReviewOutcome,
    StatementStatus,
)
from kehu.credit.statements import FIGURES, figure_label
from kehu.infra.formfields import ChineseAmountField, ChineseDateField


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    until = forms.DateField(
        label=_("valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ImportForm(forms.Form):
    KINDS = [("invoices", _("Receivables (open invoices)")), ("orders", _("Open orders"))]
    kind = forms.ChoiceField(label=_("kind"), choices=KINDS)
    file = forms.FileField(label=_("file (xlsx or csv)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an xlsx or csv file."))
        return upload


class LimitRequestForm(forms.Form):
    """A request to grant or change a customer's limit; the service checks the rules."""

    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[(k.value, k.label) for k in LimitKind if k != LimitKind.REVIEW],
    )
    limit_amount = ChineseAmountField(label=_("requested limit"), required=False)
    payment_days = forms.IntegerField(label=_("payment terms (days)"), required=False)
    overdue_allowed = ChineseAmountField(label=_("overdue amount allowed"), required=False)
    temporary_amount = ChineseAmountField(label=_("temporary limit"), required=False)
    temporary_until = ChineseDateField(label=_("temporary limit valid until"), required=False)
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class LimitBandForm(forms.Form):
    """The amount above which each role joins the limit approval chain."""

    def __init__(self, *args: Any, bands: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for band in bands:
            self.fields[f"band_{band.pk}"] = ChineseAmountField(
                label=Role(band.role).label, initial=band.above, min_value=0
            )


class ApplicationForm(forms.Form):
    requested_limit = ChineseAmountField(label=_("requested limit"), required=False)
    payment_days = forms.IntegerField(label=_("payment terms (days)"), required=False)
    monthly_volume = ChineseAmountField(label=_("expected monthly volume"), required=False)
    guarantees = forms.CharField(
        label=_("guarantees"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class SignForm(forms.Form):
    rating = forms.ChoiceField(label=_("credit rating"), required=False)
    recommended_limit = ChineseAmountField(label=_("recommended limit"), required=False)
    recommendation = forms.CharField(
        label=_("recommendation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, grades: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [("", "—"), *grades]  # type: ignore[attr-defined]


class StatementForm(forms.Form):
    """One period's statement; the figures in the unit chosen."""

    period_kind = forms.ChoiceField(label=_("period"), choices=PeriodKind.choices)
    year = forms.IntegerField(label=_("year"), required=False)
    part = forms.IntegerField(label=_("half or quarter"), required=False, initial=0)
    unit = forms.ChoiceField(label=_("entered in"), choices=FigureUnit.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FIGURES:
            self.fields[name] = forms.DecimalField(
                label=figure_label(name),
                required=False,
                max_digits=18,
                decimal_places=2,
            )
        # The statement's version when an edit page was read (optimistic locking).
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FollowUpForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=FollowUpKind.choices)
    action = forms.ChoiceField(
        label=_("debt-collection action"),
        choices=[("", "—"), *DebtAction.choices],
        required=False,
    )
    happened_on = ChineseDateField(label=_("date"), required=False)
    contact = forms.CharField(label=_("contact person"), required=False, max_length=100)
    summary = forms.CharField(
        label=_("summary"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    next_step = forms.CharField(label=_("next step"), required=False, max_length=300)


class AccountStatementForm(forms.Form):
    as_of = ChineseDateField(label=_("balance as of"), required=False)
    balance = ChineseAmountField(label=_("balance"), required=False)
    status = forms.ChoiceField(label=_("status"), choices=StatementStatus.choices)
    note = forms.CharField(
        label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    file = forms.FileField(label=_("file"), required=False)


class PromiseForm(forms.Form):
    amount = ChineseAmountField(label=_("amount"), required=False)
    promised_on = ChineseDateField(label=_("promised for"), required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class ProblemReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ProblemKind.choices)
    amount = ChineseAmountField(label=_("amount concerned"), required=False)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    measures = forms.CharField(
        label=_("proposed measures"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReplyTemplateForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=100)
    body = forms.CharField(
        label=_("text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Placeholders: {customer}, {limit}, {exposure}, {overdue}, {date}."),
    )


class ReviewForm(forms.Form):
    report = forms.CharField(
        label=_("review report"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    rating = forms.ChoiceField(label=_("credit rating"), required=False)
    outcome = forms.ChoiceField(label=_("outcome"), choices=ReviewOutcome.choices)
    new_limit = ChineseAmountField(label=_("new limit"), required=False)

    def __init__(self, *args: Any, grades: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [("", "—"), *grades]  # type: ignore[attr-defined]


def _text(label: Any, rows: int = 2) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), required=False)


class SiteVisitForm(forms.Form):
    """现场调查表; `version` is the record's version when it was read (optimistic locking)."""

    visited_on = ChineseDateField(label=_("visited on"), required=False)
    visitors = forms.CharField(label=_("visited by"), max_length=200, required=False)
    premises = _text(_("premises"))
    staff = _text(_("staff"))
    equipment = _text(_("equipment"))
    stock = _text(_("stock"))
    operations = _text(_("operations seen"))
    conclusion = _text(_("impression and conclusion"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("photo (JPEG or PNG)"), required=False)


class RelatedPartyForm(forms.Form):
    relation = forms.ChoiceField(label=_("relation"), choices=PartyRelation.choices)
    customer = forms.IntegerField(
        label=_("our customer (number)"), required=False, min_value=1,
        help_text=_("A customer of ours: its number; otherwise write the party's name."),
    )  # fmt: skip
    name = forms.CharField(label=_("name"), max_length=200, required=False)
    share = forms.DecimalField(
        label=_("shareholding (%)"), required=False, max_digits=5, decimal_places=2
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class RatingGradeForm(forms.Form):
    """A grade of the rating scale; its code is fixed once created (accounts name it)."""

    code = forms.CharField(label=_("code"), max_length=8, required=False)
    label = forms.CharField(label=_("label"), max_length=100, required=False)
    position = forms.IntegerField(label=_("position"), min_value=1, max_value=99, required=False)
    review_months = forms.IntegerField(
        label=_("reviewed every (months)"), min_value=1, max_value=60, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
