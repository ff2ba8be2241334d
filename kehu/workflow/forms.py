from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.workflow import definitions
from kehu.workflow.definitions import StepSpec
from kehu.workflow.models import ApproverRule


class CompleteStepForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, spec: StepSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outcome = self.fields["outcome"]
        assert isinstance(outcome, forms.ChoiceField)
        outcome.choices = list(spec.outcomes.items())


class WaitForm(forms.Form):
    reason = forms.CharField(
        label=_("What is missing or wrong"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


def _process_choices() -> list[tuple[str, Any]]:
    return [(p.key, p.label) for p in definitions.all_processes()]


class ApproverRuleForm(forms.ModelForm[ApproverRule]):
    process = forms.ChoiceField(label=_("Process"), choices=_process_choices)

    class Meta:
        model = ApproverRule
        fields = ["process", "unit", "position", "role", "basis"]
