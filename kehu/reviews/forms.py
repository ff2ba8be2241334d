"""Forms of the register review: opening a campaign by hand, an owner's answer, the settings."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.reviews.models import ReviewSettings


class CampaignOpenForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        help_text=_("Any day of the month the campaign belongs to."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].initial = timezone.localdate()

    def clean_month(self) -> datetime.date:
        month: datetime.date = self.cleaned_data["month"]
        return month.replace(day=1)


class TaskAnswerForm(forms.Form):
    stale_items = forms.CharField(
        label=_("Stale items found"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Expired documents, contacts who left, anything out of date (optional)."),
    )


class SettingsForm(forms.ModelForm[ReviewSettings]):
    class Meta:
        model = ReviewSettings
        fields = [
            "months",
            "mid_cycle_month",
            "deadline_working_days",
            "stale_months",
            "stale_months_high_risk",
        ]
