from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.documents.models import DocumentType
from kehu.infra.uploads import CONTENT_TYPE_CHOICES


class UploadForm(forms.Form):
    doc_type = forms.ModelChoiceField(
        label=_("Document type"),
        queryset=DocumentType.objects.filter(is_active=True),
        to_field_name="code",
    )
    document = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_(
            "Types that allow several per customer: what tells this document apart "
            "(e.g. the permit's name or the statement's period)."
        ),
    )
    reference = forms.CharField(
        label=_("Document number"),
        required=False,
        max_length=100,
        help_text=_("The number printed on the document, if any."),
    )
    file = forms.FileField(label=_("File"), help_text=_("PDF or a scan (JPEG, PNG, TIFF)."))
    issued_on = forms.DateField(
        label=_("Issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Licences, permits and certificates: the last day of validity."),
    )
    attested = forms.BooleanField(
        label=_("Copy identical to the original (此复印件与原件一致)"),
        required=False,
        help_text=_("I have compared this copy with the original; my name and the time are kept."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.tif,.tiff,.docx,.xlsx"


class DocumentTypeForm(forms.ModelForm[DocumentType]):
    content_types = forms.TypedMultipleChoiceField(
        label=_("allowed file types"),
        choices=CONTENT_TYPE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: PDF, JPEG, PNG and TIFF."),
    )

    class Meta:
        model = DocumentType
        fields = [
            "code",
            "name",
            "has_dates",
            "multiple",
            "content_types",
            "order",
            "is_active",
            "for_contracts",
        ]
