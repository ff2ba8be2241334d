"""The edit forms' side of the sensitive-field declarations (kehu.core.masking)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core import masking


class MaskedValuesFormMixin:
    """For model forms editing a record with sensitive fields (SEC-3, kehu.core.masking): the
    form shows them masked, as the card does, so opening an edit form reveals nothing; a
    masked value sent back unchanged keeps the stored one, a new value replaces it. The
    submitted (masked) data stays what a re-rendered form shows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form: Any = self  # a ModelForm
        if form.instance.pk is None:
            return
        for name in masking.sensitive_fields(form.instance):
            shown = masking.masked(form.instance, name)
            if name in form.fields and shown and masking.spec(form.instance, name) is not None:
                field = form.fields[name]
                if not isinstance(field, forms.CharField):
                    # A date or a choice cannot show its mask: a text input can.
                    form.fields[name] = forms.CharField(
                        label=field.label, required=False, max_length=30
                    )
                form.initial[name] = shown
                form.fields[name].help_text = _(
                    "Shown masked: leave it to keep the value, or type the new one."
                )

    def full_clean(self) -> None:
        form: Any = self
        shown = form.data
        form.data = masking.keep_unchanged(form.instance, shown, form.add_prefix)
        try:
            super().full_clean()  # type: ignore[misc]
        finally:
            form.data = shown
