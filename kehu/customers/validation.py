"""Normalising and validating a customer's fields at entry (CUS-10), shared by the form, the
API serializer and the importer: each error names its field, in plain language."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from kehu.customers import identifiers
from kehu.customers.models import CustomerKind
from kehu.infra.normalize import (
    clean_text,
    normalize_phone,
    parse_amount,
    parse_date,
    strip_invisible,
)

PHONE_FIELDS = ("phone", "legal_rep_phone")
DATE_FIELDS = (
    "founded_on",
    "operating_term_until",
    "licence_valid_until",
    "birth_date",
    "cooperation_since",
)
TEXT_FIELDS = (
    "name",
    "legal_rep_name",
    "legal_rep_title",
    "chairman",
    "general_manager",
    "registered_address",
    "operating_address",
    "issuing_authority",
    "occupation",
    "employer",
    "address",
    "province",
    "city",
    "contract_numbers",
)
# Provincial-level divisions (GB/T 2260), as stored in Customer.province.
PROVINCES = [
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省",
    "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省",
    "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省",
    "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
    "香港特别行政区", "澳门特别行政区",
]  # fmt: skip

# Full registered names are at least this long; shorter ones are short names (CUS-2).
MIN_ORGANISATION_NAME = 4

# Stripped when comparing names for "very similar" (CUS-11).
_LEGAL_FORMS = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团公司|总公司|分公司|公司|集团|股份|"
    r"有限|责任|工作室|事务所|合作社|厂|店|中心)$"
)
_BRACKETED = re.compile(r"[(（][^)）]*[)）]")
_PUNCTUATION = re.compile(r"[\s·.,，。、\-—_'\"“”‘’()（）]")
_PLACES = re.compile(
    r"^(北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|"
    r"湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门|"
    r"深圳|广州|杭州|南京|苏州|成都|武汉|西安|青岛|大连|厦门|宁波)(省|市|自治区)?"
)


def name_key(name: str) -> str:
    """The core of a name for similarity: without places, brackets, legal forms and punctuation.
    北京华夏科技有限公司, 华夏科技（北京）股份有限公司 and 华夏科技有限责任公司 share "华夏科技"."""
    key = _BRACKETED.sub("", clean_text(name))
    key = _PUNCTUATION.sub("", key).lower()
    previous = None
    while previous != key:
        previous = key
        key = _LEGAL_FORMS.sub("", key)
        key = _PLACES.sub("", key)
    return key or clean_text(name).lower()


def _run(errors: dict[str, list[Any]], field: str, check: Any) -> Any:
    try:
        return check()
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.messages)
        return None


def clean_customer(data: dict[str, Any], partial: bool = False) -> dict[str, Any]:
    """Normalised copy of `data`; raises ValidationError({field: [messages]}) listing every
    problem at once. With `partial`, only the given fields are checked (API PATCH)."""
    cleaned = without_invisible(data)
    errors: dict[str, list[Any]] = {}
    kind = cleaned.get("kind")
    for field in TEXT_FIELDS:
        if isinstance(cleaned.get(field), str):
            cleaned[field] = clean_text(cleaned[field])
    if not partial or "name" in cleaned:
        name = cleaned.get("name") or ""
        if not name:
            errors["name"] = [_("Enter the customer's name.")]
        elif kind == CustomerKind.ORGANIZATION and len(name) < MIN_ORGANISATION_NAME:
            errors["name"] = [
                _("Enter the full name exactly as on the business licence, not a short name.")
            ]
    for field in ("credit_code", "org_code", "id_number", "legal_rep_id_number"):
        value = cleaned.get(field)
        if isinstance(value, str) and value.strip():
            check = {
                "credit_code": identifiers.clean_credit_code,
                "org_code": identifiers.clean_org_code,
                "id_number": identifiers.clean_id_number,
                "legal_rep_id_number": identifiers.clean_id_number,
            }[field]
            cleaned[field] = _run(errors, field, lambda c=check, v=value: c(v))
        elif field in cleaned:
            cleaned[field] = None if field == "credit_code" else ""
    for field in PHONE_FIELDS:
        value = cleaned.get(field)
        if isinstance(value, str):
            cleaned[field] = _run(errors, field, lambda v=value: normalize_phone(v))
    for field in DATE_FIELDS:
        if isinstance(cleaned.get(field), str):
            cleaned[field] = _run(errors, field, lambda v=cleaned[field]: parse_date(v))
    if isinstance(cleaned.get("registered_capital"), str):
        cleaned["registered_capital"] = _run(
            errors, "registered_capital", lambda: parse_amount(data["registered_capital"])
        )
    capital = cleaned.get("registered_capital")
    if capital is not None and capital < 0:
        errors["registered_capital"] = [_("The registered capital cannot be negative.")]
    email = cleaned.get("email")
    if isinstance(email, str) and email.strip():
        cleaned["email"] = email.strip().lower()
        _run(errors, "email", lambda: validate_email(cleaned["email"]))
    province = cleaned.get("province")
    if province and province not in PROVINCES:
        errors["province"] = [_("Choose a province, e.g. 北京市 or 广东省.")]
    _cross_checks(cleaned, errors, partial)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _cross_checks(cleaned: dict[str, Any], errors: dict[str, list[Any]], partial: bool) -> None:
    credit_code, org_code = cleaned.get("credit_code"), cleaned.get("org_code")
    if credit_code and org_code and credit_code[8:17] != org_code and "org_code" not in errors:
        errors["org_code"] = [
            _("The organisation code must match characters 9–17 of the credit code (%(code)s).")
            % {"code": credit_code[8:17]}
        ]
    id_number = cleaned.get("id_number")
    if id_number and "id_number" not in errors:
        birth = identifiers.birth_date_of(id_number)
        if cleaned.get("birth_date") and cleaned["birth_date"] != birth:
            errors["birth_date"] = [
                _("The birth date differs from the one in the ID number (%(date)s).")
                % {"date": birth.isoformat()}
            ]
        elif not cleaned.get("birth_date") and (not partial or "birth_date" in cleaned):
            cleaned["birth_date"] = birth
        gender = identifiers.gender_of(id_number)
        if cleaned.get("gender") and cleaned["gender"] != gender:
            errors["gender"] = [_("The gender differs from the one the ID number encodes.")]
        elif not cleaned.get("gender") and (not partial or "gender" in cleaned):
            cleaned["gender"] = gender
    founded, term = cleaned.get("founded_on"), cleaned.get("operating_term_until")
    if founded and term and term < founded:
        errors["operating_term_until"] = [
            _("The operating term cannot end before the founding date.")
        ]


def without_invisible(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of `data` whose every text value has lost its invisible characters (bidi
    overrides, zero-width characters: `strip_invisible`)."""
    return {k: strip_invisible(v) if isinstance(v, str) else v for k, v in data.items()}


def clean_contact(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = without_invisible(data)
    errors: dict[str, list[Any]] = {}
    for field in ("name", "title", "department"):
        if isinstance(cleaned.get(field), str):
            cleaned[field] = clean_text(cleaned[field])
    if "name" in cleaned and not cleaned.get("name"):
        errors["name"] = [_("Enter the contact's name.")]
    for field in ("mobile", "office_phone"):
        if isinstance(cleaned.get(field), str):
            cleaned[field] = _run(errors, field, lambda v=cleaned[field]: normalize_phone(v))
    influence = cleaned.get("influence")
    if influence is not None and not 0 <= int(influence) <= 100:
        errors["influence"] = [_("The decision weight is a percentage from 0 to 100.")]
    if errors:
        raise ValidationError(errors)
    return cleaned
