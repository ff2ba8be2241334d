"""Forms of the interaction pages; the customers offered are those the user may work on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kehu.core import policy
from kehu.core.models import OrgUnit, UnitKind, User
from kehu.customers.assignment import attachable_customers
from kehu.customers.models import Contact
from kehu.interactions import research
from kehu.interactions.models import (
    SCALE_RANGE,
    Complaint,
    ComplaintReplyTemplate,
    CorrectiveAction,
    CustomerResearch,
    Interaction,
    Purchase,
    Scale,
    ServiceTicket,
    Survey,
    SurveyItem,
    SurveyReport,
    SurveyTemplate,
    VisitPlan,
)
from kehu.interactions.personal import PERM, personal_note_visible
from kehu.interactions.surveys import field_name

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InteractionForm(forms.ModelForm[Interaction]):
    """A communication: the personal note only for who may keep it (and, when editing, read
    it now)."""

    class Meta:
        model = Interaction
        fields = [
            "customer", "occurred_at", "ended_at", "channel", "subject", "our_participants",
            "contacts", "content", "needs", "follow_up", "follow_up_due", "follow_up_owner",
            "project_ref", "personal_note",
        ]  # fmt: skip
        widgets = {
            "occurred_at": DATETIME,
            "ended_at": DATETIME,
            "follow_up_due": DATE,
            "content": forms.Textarea(attrs={"rows": 4}),
            "needs": forms.Textarea(attrs={"rows": 2}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
            "personal_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        fields: dict[str, Any] = self.fields
        users = User.objects.filter(is_active=True).order_by("username")
        fields["our_participants"].queryset = users
        fields["follow_up_owner"].queryset = users
        fields["customer"].queryset = attachable_customers(user).order_by("name_pinyin")
        chosen = self.initial.get("customer") or self.data.get("customer")
        customer_id = self.instance.customer_id or chosen
        fields["contacts"].queryset = Contact.objects.filter(customer_id=customer_id or 0)
        for name in ("occurred_at", "ended_at"):
            fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        if self.instance.pk:
            fields["customer"].disabled = True
            if not personal_note_visible(user, self.instance) and not (
                not self.instance.personal_note and policy.has_perm(user, PERM, self.instance)
            ):
                del fields["personal_note"]
        elif not policy.has_perm(user, PERM):
            del fields["personal_note"]
        if "personal_note" in fields:
            fields["personal_note"].help_text = _(
                "Seen only by the account manager; needs a contact's consent to a profile."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["submitted_by"] = self.user  # the service checks and records who submits
        return data


class ComplaintForm(forms.ModelForm[Complaint]):
    """Record a complaint: when, how, what, and the route that decides who handles it."""

    class Meta:
        model = Complaint
        fields = [
            "customer", "received_on", "channel", "category", "content", "route",
            "handling_unit", "production_unit",
        ]  # fmt: skip
        widgets = {"received_on": DATE, "content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        fields: dict[str, Any] = self.fields
        fields["customer"].queryset = attachable_customers(user).order_by("name_pinyin")
        departments = OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT).order_by("code")
        fields["handling_unit"].queryset = departments
        fields["production_unit"].queryset = departments
        if self.instance.pk:
            fields["customer"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["submitted_by"] = self.user
        return data


class SurveyTemplateForm(forms.ModelForm[SurveyTemplate]):
    class Meta:
        model = SurveyTemplate
        fields = ["name", "kind", "is_active", "round_month", "note"]


class SurveyItemForm(forms.ModelForm[SurveyItem]):
    class Meta:
        model = SurveyItem
        fields = ["template", "order", "label", "scale", "target"]


class SurveyForm(forms.ModelForm[Survey]):
    """One customer's survey and whom to ask; the account manager answers it on its page."""

    class Meta:
        model = Survey
        fields = ["template", "customer", "year", "due_date", "respondent"]
        widgets = {"due_date": DATE}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["customer"].queryset = attachable_customers(user).order_by("name_pinyin")
        fields["template"].queryset = SurveyTemplate.objects.filter(is_active=True)
        fields["respondent"].required = True
        self.user = user
        if self.instance.pk:
            for name in ("template", "customer", "year"):
                fields[name].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["submitted_by"] = self.user
        return data


class SurveySendForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("template"), queryset=SurveyTemplate.objects.filter(is_active=True)
    )
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    due_date = forms.DateField(label=_("due"), widget=DATE)


class CorrectiveActionForm(forms.ModelForm[CorrectiveAction]):
    """Follow a corrective action: what is done, by whom, by when, and whether it is done."""

    class Meta:
        model = CorrectiveAction
        fields = ["description", "owner", "due_date", "status"]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["description"].required = True
        fields["owner"].queryset = User.objects.filter(is_active=True).order_by("username")


class CorrectiveActionCreateForm(forms.ModelForm[CorrectiveAction]):
    """A corrective action opened by hand (those below target open by themselves)."""

    class Meta:
        model = CorrectiveAction
        fields = ["item", "year", "unit", "measured", "target", "description", "owner"]
        fields += ["due_date"]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        self.user = user
        fields["unit"].queryset = OrgUnit.objects.order_by("code")
        fields["owner"].queryset = User.objects.filter(is_active=True).order_by("username")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["submitted_by"] = self.user
        return data


class SurveyReportForm(forms.ModelForm[SurveyReport]):
    """A survey analysis report: which results (template, year, department) and the analysis;
    the figures are taken from the answers when it is sent to the general manager."""

    class Meta:
        model = SurveyReport
        fields = ["template", "year", "unit", "analysis"]
        widgets = {"analysis": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        self.user = user
        fields["unit"].queryset = policy.units_where(user, "interactions.surveyreport.add")
        fields["year"].min_value = 2000
        if self.instance.pk:
            for name in ("template", "year", "unit"):
                fields[name].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["submitted_by"] = self.user
        return data


class ComplaintReplyTemplateForm(forms.ModelForm[ComplaintReplyTemplate]):
    class Meta:
        model = ComplaintReplyTemplate
        fields = ["title", "route", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}
        help_texts = {
            "body": _(
                "Placeholders: {customer}, {number}, {received}, {category}, {result}, {date}."
            )
        }


def answer_form_class(survey: Survey) -> type[forms.Form]:
    """The answering form of a survey: one field per question, on its scale (checked by the
    service, which reports errors under the same names)."""
    fields: dict[str, forms.Field] = {
        "respondent": forms.CharField(label=_("respondent"), required=False),
        "answered_on": forms.DateField(label=_("answered on"), widget=DATE),
    }
    for item in survey.template.items.all():
        if item.scale == Scale.TEXT:
            field: forms.Field = forms.CharField(
                label=item.label, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        else:
            low, high = SCALE_RANGE[Scale(item.scale)]
            field = forms.CharField(
                label=f"{item.label} ({low}–{high})",
                required=False,
                widget=forms.NumberInput(attrs={"min": low, "max": high}),
            )
        fields[field_name(item)] = field
    fields["comment"] = forms.CharField(
        label=_("comments"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    return type("SurveyAnswerForm", (forms.Form,), fields)


GENDERS = [("", "—"), ("male", _("male")), ("female", _("female"))]


class ResearchForm(forms.ModelForm[CustomerResearch]):
    """The research form (客户调研表): three decision-makers and three current suppliers,
    each a group of fields stored as one list."""

    class Meta:
        model = CustomerResearch
        fields = ["customer", "researched_on", "demand_analysis", "entry_points", "action_plan"]
        widgets = {
            "researched_on": DATE,
            "demand_analysis": forms.Textarea(attrs={"rows": 3}),
            "entry_points": forms.Textarea(attrs={"rows": 3}),
            "action_plan": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        fields: dict[str, Any] = self.fields
        fields["customer"].queryset = attachable_customers(user).order_by("name_pinyin")
        fields["action_plan"].required = True
        people = {p.get("rank"): p for p in self.instance.decision_makers or []}
        for rank in research.RANKS:
            for key, label in research.PERSONAL.items():
                name = f"dm{rank}_{key}"
                fields[name] = _person_field(key, f"{rank}· {label}")
                fields[name].initial = people.get(rank, {}).get(key, "")
        suppliers = list(self.instance.suppliers or [])
        for slot in research.SUPPLIER_SLOTS:
            for key, label in research.SUPPLIER.items():
                name = f"sup{slot}_{key}"
                fields[name] = forms.CharField(label=f"{slot}· {label}", required=False)
                if slot <= len(suppliers):
                    fields[name].initial = suppliers[slot - 1].get(key, "")
        if self.instance.pk:
            fields["customer"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        people = []
        for rank in research.RANKS:
            person: dict[str, Any] = {"rank": rank}
            for key in research.PERSONAL:
                value = data.pop(f"dm{rank}_{key}", None)
                person[key] = "" if value is None else str(value).strip()
            if any(person[k] for k in research.PERSONAL):
                people.append(person)
        suppliers = []
        for slot in research.SUPPLIER_SLOTS:
            row = {k: str(data.pop(f"sup{slot}_{k}", "") or "").strip() for k in research.SUPPLIER}
            if any(row.values()):
                suppliers.append(row)
        data["decision_makers"], data["suppliers"] = people, suppliers
        data["submitted_by"] = self.user
        try:
            research.check(data)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


def _person_field(key: str, label: str) -> forms.Field:
    if key == "gender":
        return forms.ChoiceField(label=label, choices=GENDERS, required=False)
    if key == "weight":
        return forms.IntegerField(label=label, required=False, min_value=0, max_value=100)
    return forms.CharField(label=label, required=False)


class EvaluationForm(forms.Form):
    evaluation = forms.CharField(label=_("head's evaluation"), widget=forms.Textarea)


class VoidForm(forms.Form):
    void_reason = forms.CharField(label=_("reason for voiding"), widget=forms.Textarea)


class VisitPlanForm(forms.ModelForm[VisitPlan]):
    """Plan a visit or greeting; the customer's account manager carries it out."""

    class Meta:
        model = VisitPlan
        fields = ["customer", "kind", "planned_on", "purpose"]
        widgets = {"planned_on": DATE}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        fields: dict[str, Any] = self.fields
        fields["customer"].queryset = attachable_customers(user).order_by("name_pinyin")
        if self.instance.pk:
            fields["customer"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["submitted_by"] = self.user
        return data


class TicketForm(forms.ModelForm[ServiceTicket]):
    class Meta:
        model = ServiceTicket
        fields = [
            "customer", "problem_type", "description", "handler", "handler_staff_no",
            "started_at", "ended_at", "steps", "status", "solution", "satisfaction", "sla_hours",
        ]  # fmt: skip
        widgets = {
            "started_at": DATETIME,
            "ended_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 3}),
            "steps": forms.Textarea(attrs={"rows": 3}),
            "solution": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        fields: dict[str, Any] = self.fields
        fields["customer"].queryset = attachable_customers(user).order_by("name_pinyin")
        fields["handler"].queryset = User.objects.filter(is_active=True).order_by("username")
        for name in ("started_at", "ended_at"):
            fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        if self.instance.pk:
            fields["customer"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["submitted_by"] = self.user
        return data


class PurchaseForm(forms.ModelForm[Purchase]):
    """A purchase; the amount is quantity × unit price when left empty."""

    class Meta:
        model = Purchase
        fields = ["customer", "purchased_on", "product", "quantity", "unit_price", "amount"]
        fields += ["order_number", "note"]
        widgets = {"purchased_on": DATE}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        fields: dict[str, Any] = self.fields
        fields["customer"].queryset = attachable_customers(user).order_by("name_pinyin")
        fields["amount"].required = False
        if self.instance.pk:
            fields["customer"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["submitted_by"] = self.user
        return data


class PurchaseImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
