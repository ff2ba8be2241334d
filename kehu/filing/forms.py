"""Forms of the filing pages and of the filing configuration's record types. The rules live in
the services; these only collect input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.customers.identifiers import clean_credit_code
from kehu.customers.models import Industry
from kehu.filing.models import (
    ChecklistItem,
    CheckResult,
    RiskConclusion,
    RiskLevel,
    RiskRule,
    RuleKind,
    WatchListEntry,
)

MAX_IMPORT_BYTES = 10 * 1024 * 1024


class WatchListUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8 or GB18030) or xlsx; first row: 名称, 统一社会信用代码, 名录, 来源, "
            "列入日期, 备注."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class WatchListConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


class ClearHitForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for clearing"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this customer is not the entity on the list (e.g. a namesake)."),
    )


class OpenFilingForm(forms.Form):
    declared_address_changes = forms.IntegerField(
        label=_("address changes on record"),
        min_value=0,
        max_value=99,
        initial=0,
        help_text=_("Changes of the registered address found in the public registry."),
    )


def _unchosen(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The choices behind an empty first option: nothing is decided until the user chooses."""
    return [("", _("— choose —")), *choices]


class ReviewForm(forms.Form):
    """One result (and explanation) per checklist item; built from the filing's items. No
    result is preselected: the reviewer marks every item; `suggestions` (what the system
    found) are shown beside the items, never filled in."""

    def __init__(
        self,
        *args: Any,
        items: list[tuple[str, str]],
        suggestions: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.suggestions = suggestions or {}
        for key, label in items:
            self.fields[f"result__{key}"] = forms.ChoiceField(
                label=label,
                choices=_unchosen(CheckResult.choices),
                error_messages={"required": _("Record the result of this check.")},
            )
            self.fields[f"explanation__{key}"] = forms.CharField(
                label=_("Explanation"), required=False, max_length=1000
            )
        self.fields["comment"] = forms.CharField(
            label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
        )
        # The item table names each item once: its widgets carry the name for screen readers.
        for key, label in items:
            for prefix, what in (("result", _("Result")), ("explanation", _("Explanation"))):
                widget = self.fields[f"{prefix}__{key}"].widget
                widget.attrs["aria-label"] = f"{label} · {what}"

    def rows(self) -> list[tuple[str, str, Any, Any, str]]:
        """(key, label, result field, explanation field, the system's suggestion)."""
        labels = dict(CheckResult.choices)
        return [
            (
                key,
                label,
                self[f"result__{key}"],
                self[f"explanation__{key}"],
                str(labels.get(self.suggestions.get(f"result__{key}", ""), "")),
            )
            for key, label in self.items
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key, _label in self.items:
            result = data.get(f"result__{key}")
            if result and result != CheckResult.OK and not data.get(f"explanation__{key}"):
                self.add_error(f"explanation__{key}", _("Explain what is doubtful or missing."))
        return data

    def checks(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        return [
            {
                "key": key,
                "label": label,
                "result": data[f"result__{key}"],
                "explanation": data.get(f"explanation__{key}", ""),
            }
            for key, label in self.items
        ]


class SupplementForm(forms.Form):
    reason = forms.CharField(
        label=_("What the customer must supply or correct"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class RiskReportForm(forms.Form):
    risk_level = forms.ChoiceField(
        label=_("risk level"),
        choices=_unchosen(RiskLevel.choices),
        error_messages={"required": _("Choose the risk level.")},
    )
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(
        label=_("measures and conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    conclusion = forms.ChoiceField(
        label=_("conclusion"),
        choices=_unchosen(RiskConclusion.choices),
        error_messages={"required": _("Choose the conclusion.")},
    )
    file = forms.FileField(
        label=_("Report file"), help_text=_("The signed report (PDF, scan or Word).")
    )


class DecisionForm(forms.Form):
    """The approver's decision, chosen deliberately: no option is preselected."""

    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=(),
        error_messages={"required": _("Choose a decision.")},
    )
    comment = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, outcomes: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = _unchosen(list(outcomes.items()))  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        positive = ("approved", "passed", "complete", "done", None)
        if data.get("outcome") not in positive and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Give the reason."))
        return data


# --- the filing configuration (record types) -----------------------------------------


class ChecklistItemForm(forms.ModelForm[ChecklistItem]):
    class Meta:
        model = ChecklistItem
        fields = [
            "name", "customer_kind", "industry", "item_kind", "field_name", "doc_type", "note",
            "condition", "order", "is_active",
        ]  # fmt: skip


class WatchListEntryForm(forms.ModelForm[WatchListEntry]):
    class Meta:
        model = WatchListEntry
        fields = ["name", "credit_code", "list_kind", "source", "listed_on", "note", "is_active"]

    def clean_credit_code(self) -> str:
        code = self.cleaned_data.get("credit_code") or ""
        return clean_credit_code(code) if code.strip() else ""


class RiskRuleForm(forms.ModelForm[RiskRule]):
    industries = forms.TypedMultipleChoiceField(
        label=_("sensitive industries"),
        choices=Industry.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For the sensitive-industry rule."),
    )

    class Meta:
        model = RiskRule
        fields = ["name", "kind", "threshold", "industries", "is_active", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs_n = {RuleKind.ADDRESS_CHANGES, RuleKind.YOUNG_COMPANY}
        if data.get("kind") in needs_n and data.get("threshold") is None:
            self.add_error("threshold", _("This rule needs its threshold N."))
        if data.get("kind") == RuleKind.SENSITIVE_INDUSTRY and not data.get("industries"):
            self.add_error("industries", _("Choose the sensitive industries."))
        return data
