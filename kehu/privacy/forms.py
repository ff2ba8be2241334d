from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

PURPOSES = [
    ("verification", _("Identity verification")),
    ("contact", _("Contacting the customer")),
    ("settlement", _("Payment or settlement")),
    ("review", _("Review or audit")),
    ("other", _("Other")),
]


class RevealForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=PURPOSES)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
