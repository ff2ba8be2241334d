"""Sensitivity tiers (一般 / 重要 / 核心): the administrator's setting of which declared field
(kehu.core.masking) and which document type belongs to which tier, and how long each tier is
kept. Masking, reveal, exports and document downloads read the tier in force from here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.services import record
from kehu.core import masking, policy
from kehu.documents.models import DocumentType
from kehu.infra.configcache import config_cache
from kehu.privacy.models import SensitivityTiers

TIER_CHOICES = [
    (masking.GENERAL, gettext_lazy("General (一般): shown in full")),
    (masking.IMPORTANT, gettext_lazy("Important (重要): masked, revealed with a reason")),
    (masking.CORE, gettext_lazy("Core (核心): masked, revealed only by a narrower set")),
]
# Document types whose copies are CORE by default (ID-card copies, bank documents); every
# other type is GENERAL until an administrator says otherwise.
DEFAULT_DOCUMENT_TIERS = {"legal_rep_id": masking.CORE, "bank_account_proof": masking.CORE}
YEARS_FIELDS = ("general_years", "important_years", "core_years")


@config_cache(SensitivityTiers)
def _chosen() -> tuple[dict[str, str], dict[str, str]]:
    found = SensitivityTiers.objects.filter(pk=1).first()
    if found is None:
        return {}, {}
    return dict(found.field_tiers or {}), dict(found.document_tiers or {})


def field_overrides() -> dict[str, str]:
    """{"customers.customer.id_number": tier} chosen by an administrator."""
    return _chosen()[0]


def declared_keys() -> list[tuple[str, str, masking.Sensitive]]:
    """(key, model label, declaration) of every declared field, in declaration order."""
    return [
        (f"{label}.{name}", label, found)
        for label, fields in masking.declared().items()
        for name, found in fields.items()
    ]


def document_tier(type_code: str) -> str:
    chosen = _chosen()[1].get(type_code)
    if chosen in masking.TIERS:
        return str(chosen)
    return DEFAULT_DOCUMENT_TIERS.get(type_code, masking.GENERAL)


def may_open_version(user: Any, version: Any) -> bool:
    """Whether `user` (who may see the version) may download or preview its file: GENERAL
    types for every reader, IMPORTANT ones for those who may reveal the customer's masked
    values, CORE ones for those who may also reveal CORE values."""
    tier = document_tier(version.document.doc_type.code)
    if tier == masking.GENERAL:
        return True
    customer = version.document.customer
    if not policy.has_perm(user, "customers.customer.reveal", customer):
        return False
    return tier != masking.CORE or policy.has_perm(user, masking.CORE_PERMISSION, version)


def save(
    fields: dict[str, str], documents: dict[str, str], years: dict[str, int]
) -> SensitivityTiers:
    """An administrator sets the tiers and retention periods: checked, saved and audited
    together; in force at once (the cache is cleared by the save)."""
    known = {key for key, _label, _found in declared_keys()}
    codes = set(DocumentType.objects.values_list("code", flat=True))
    tiers = set(masking.TIERS)
    if set(fields) - known or set(documents) - codes:
        raise ValidationError(_("Only declared fields and existing document types have a tier."))
    if set(fields.values()) - tiers or set(documents.values()) - tiers:
        raise ValidationError(_("Choose one of the three tiers."))
    if set(years) - set(YEARS_FIELDS):
        raise ValidationError(_("Only declared fields and existing document types have a tier."))
    with transaction.atomic():
        SensitivityTiers.objects.get_or_create(pk=1)
        current = SensitivityTiers.objects.select_for_update().get(pk=1)
        before_fields = {k: masking.tier_of(*k.rsplit(".", 1)) for k in fields}
        before_documents = {code: document_tier(code) for code in documents}
        changes: dict[str, list[Any]] = {}
        for key, tier in fields.items():
            if before_fields[key] != tier:
                changes[key] = [before_fields[key], tier]
        for code, tier in documents.items():
            if before_documents[code] != tier:
                changes[f"document:{code}"] = [before_documents[code], tier]
        for name, value in years.items():
            if getattr(current, name) != value:
                changes[name] = [getattr(current, name), value]
            setattr(current, name, value)
        current.field_tiers = {**(current.field_tiers or {}), **fields}
        current.document_tiers = {**(current.document_tiers or {}), **documents}
        current.full_clean()
        current.save()
        record("privacy.sensitivitytiers.update", current, changes=changes)
    return current
