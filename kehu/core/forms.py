from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kehu.core.models import (
    ArchivistCertification,
    CalendarDay,
    CalendarYear,
    OrgUnit,
    Role,
    UnitKind,
    User,
)

CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9-]{0,19}$")
ALLOWED_PARENT_KINDS = {
    UnitKind.GROUP: set(),
    UnitKind.SUBSIDIARY: {UnitKind.GROUP},
    UnitKind.DEPARTMENT: {UnitKind.GROUP, UnitKind.SUBSIDIARY, UnitKind.DEPARTMENT},
}


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form: each error beside its field where the form has that
    field, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class OrgUnitForm(forms.ModelForm[OrgUnit]):
    class Meta:
        model = OrgUnit
        fields = ["name", "code", "kind", "parent", "is_active", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError(
                _("Use 1 to 20 upper-case letters, digits or hyphens, starting with a letter.")
            )
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, parent = data.get("kind"), data.get("parent")
        if kind == UnitKind.GROUP and parent is not None:
            self.add_error("parent", _("A group is the top of the tree and has no parent."))
        elif kind in (UnitKind.SUBSIDIARY, UnitKind.DEPARTMENT) and parent is None:
            self.add_error("parent", _("Choose the unit this one belongs to."))
        elif kind and parent and parent.kind not in ALLOWED_PARENT_KINDS[UnitKind(kind)]:
            self.add_error(
                "parent",
                _("A %(kind)s cannot be placed under a %(parent)s.")
                % {"kind": UnitKind(kind).label, "parent": parent.get_kind_display()},
            )
        return data


class UserForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["username", "full_name", "email", "employee_no", "phone", "unit", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["unit"].required = True


class UserCreateForm(UserForm):
    password1 = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Repeat the password"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = User(username=data.get("username", ""), email=data.get("email", ""))
            try:
                validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.filter(is_active=True))


class CertificationForm(forms.ModelForm[ArchivistCertification]):
    class Meta:
        model = ArchivistCertification
        fields = [
            "education",
            "training_date",
            "exam_date",
            "certificate_no",
            "valid_until",
            "last_training_on",
        ]
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for name in ("training_date", "exam_date", "valid_until", "last_training_on")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["education"].required = True
        self.fields["last_training_on"].help_text = _(
            "The yearly re-training falls due a year after this date (or after the exam)."
        )


class SecurityPolicyForm(forms.Form):
    totp_required_roles = forms.MultipleChoiceField(
        label=_("Roles that must use a second factor (TOTP)"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class AdminPasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password, self.user)
        return password


class CalendarDayForm(forms.ModelForm[CalendarDay]):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_working", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "is_working": _(
                "Ticked: a working day (e.g. an adjusted Saturday 调休); "
                "not ticked: a day off (a public holiday or a company day)."
            )
        }


class CalendarYearForm(forms.ModelForm[CalendarYear]):
    class Meta:
        model = CalendarYear
        fields = ["year", "note"]
        help_texts = {
            "year": _(
                "Mark a year once all of its official holidays and adjusted working days "
                "have been entered as calendar days."
            )
        }
