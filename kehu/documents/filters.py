"""List filters of the documents app's record types."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from kehu.documents.models import DocumentType
from kehu.generic.filtering import ListFilterSet


class DocumentTypeFilter(ListFilterSet):
    is_active = django_filters.BooleanFilter(label=_("active"))
    has_dates = django_filters.BooleanFilter(label=_("has issue and expiry dates"))

    class Meta:
        model = DocumentType
        fields = ["is_active", "has_dates"]
