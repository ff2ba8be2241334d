"""The columns of the customer roster import: the customer's fields, one contact, one bank
account and one column per active classification dimension."""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kehu.customers.identifiers import make_credit_code
from kehu.customers.models import (
    ClassificationDimension,
    Contact,
    Currency,
    Customer,
    CustomerKind,
    Gender,
    Industry,
    Nature,
)
from kehu.generic.importing import Column
from kehu.generic.importing import values as v

DATES = _("A date: 2024-03-05, 2024年3月5日, 2024/3/5, 2024.3.5 or a date cell.")
AMOUNTS = _("An amount in 元: 5000000, 5,000,000, 500万 or 1.2亿.")
PHONES = _("A mobile (13812345678) or landline (010-62345678, extension after 转).")
BLANK_KEEPS = _("A blank cell leaves the stored value as it is.")


def _labels(choices: Any) -> str:
    return "、".join(str(label) for _value, label in choices)


def _choice(choices: Any, extra: dict[str, str] | None = None) -> Any:
    options = {str(label): value for value, label in choices}
    options |= {value: value for value, _label in choices}
    options |= extra or {}
    message = format_lazy("{}{}", _("Choose one of: "), _labels(choices))
    return v.choice(options, message)


KIND = _choice(
    CustomerKind.choices,
    {"企业": "organization", "单位": "organization", "组织": "organization", "公司": "organization",
     "个人": "individual", "自然人": "individual"},
)  # fmt: skip


def _field(
    name: str, zh: str, en: str, parse: Any = v.text, example: Any = "", **kw: Any
) -> Column:
    field = Customer._meta.get_field(name)
    return Column(
        name, zh, en, parse, help=getattr(field, "verbose_name", name), example=example, **kw
    )


def _contact(name: str, zh: str, en: str, parse: Any = v.text, **kw: Any) -> Column:
    field = Contact._meta.get_field(name)
    verbose = getattr(field, "verbose_name", name)
    label = format_lazy("{}: {}", _("Primary contact"), verbose)
    return Column(f"contact_{name}", zh, en, parse, help=label, **kw)


def customer_columns() -> list[Column]:
    return [
        Column(
            "kind", "客户类型", "kind", KIND, required=True, help=_("Organisation or individual."),
            allowed=_labels(CustomerKind.choices), example="企业",
        ),
        _field("name", "客户名称", "name", required=True, example="北京华夏示例科技有限公司",
               aliases=("名称", "企业名称", "姓名")),
        _field("credit_code", "统一社会信用代码", "credit_code", v.raw_text,
               example=make_credit_code("91110108MA01A2B3C"), aliases=("信用代码",),
               allowed=_("Required for organisations: the business key of an organisation.")),
        _field("id_number", "身份证号码", "id_number", v.raw_text, aliases=("身份证号",),
               allowed=_("Required for individuals: the business key of an individual.")),
        _field("org_code", "组织机构代码", "org_code", v.raw_text),
        _field("nature", "企业性质", "nature", _choice(Nature.choices), example="民营企业",
               allowed=_labels(Nature.choices)),
        _field("industry", "行业", "industry", _choice(Industry.choices), example="I",
               allowed=format_lazy("{}: {}", _("A letter A–T or its name"),
                                   _labels(Industry.choices))),
        _field("legal_rep_name", "法定代表人", "legal_rep_name", example="王建国"),
        _field("legal_rep_title", "法定代表人职务", "legal_rep_title"),
        _field("legal_rep_phone", "法定代表人电话", "legal_rep_phone", v.raw_text, allowed=PHONES),
        _field("legal_rep_id_number", "法定代表人身份证号码", "legal_rep_id_number", v.raw_text),
        _field("chairman", "董事长", "chairman"),
        _field("general_manager", "总经理", "general_manager"),
        _field("registered_address", "注册地址", "registered_address",
               example="北京市海淀区中关村大街1号"),
        _field("operating_address", "经营地址", "operating_address"),
        _field("founded_on", "成立日期", "founded_on", v.date, allowed=DATES,
               example="2015年3月5日"),
        _field("registered_capital", "注册资本", "registered_capital", v.amount, allowed=AMOUNTS,
               example="500万"),
        _field("capital_currency", "币种", "capital_currency", _choice(Currency.choices),
               allowed=_labels(Currency.choices)),
        _field("business_scope", "经营范围", "business_scope"),
        _field("operating_term_until", "营业期限至", "operating_term_until", v.date, allowed=DATES),
        _field("licence_valid_until", "执照有效期至", "licence_valid_until", v.date, allowed=DATES),
        _field("issuing_authority", "发证机关", "issuing_authority"),
        _field("certifications", "资质认证", "certifications"),
        _field("gender", "性别", "gender", _choice(Gender.choices),
               allowed=_labels(Gender.choices)),
        _field("birth_date", "出生日期", "birth_date", v.date, allowed=DATES),
        _field("occupation", "职业", "occupation"),
        _field("employer", "工作单位", "employer"),
        _field("phone", "电话", "phone", v.raw_text, allowed=PHONES, example="010-62345678",
               aliases=("联系电话",)),
        _field("email", "电子邮箱", "email", v.raw_text, aliases=("邮箱",)),
        _field("address", "地址", "address"),
        _field("province", "省份", "province", example="北京市", aliases=("省",),
               allowed=_("The full name: 北京市, 广东省, 内蒙古自治区 …")),
        _field("city", "城市", "city", example="北京市", aliases=("市",)),
        _field("products", "产品与服务", "products"),
        _field("cooperation_since", "合作起始日期", "cooperation_since", v.date, allowed=DATES),
        _field("contract_numbers", "合同编号", "contract_numbers"),
        _field("note", "备注", "note"),
        _contact("name", "联系人", "contact_name", example="李明", aliases=("联系人姓名",)),
        _contact("gender", "联系人性别", "contact_gender", _choice(Gender.choices),
                 allowed=_labels(Gender.choices), example="男"),
        _contact("title", "联系人职务", "contact_title", example="采购经理"),
        _contact("department", "联系人部门", "contact_department"),
        _contact("mobile", "联系人手机", "contact_mobile", v.raw_text, allowed=PHONES,
                 example="13812345678"),
        _contact("office_phone", "联系人办公电话", "contact_office_phone", v.raw_text,
                 allowed=PHONES),
        _contact("email", "联系人邮箱", "contact_email", v.raw_text),
        _contact("role", "联系人角色", "contact_role", _choice(Contact.ContactRole.choices),
                 allowed=_labels(Contact.ContactRole.choices)),
        _contact("influence", "联系人话语权", "contact_influence", v.integer,
                 allowed=_("A percentage from 0 to 100.")),
        Column("bank_account_name", "开户名称", "bank_account_name",
               help=_("Bank account: account name")),
        Column("bank_name", "开户银行", "bank_name", help=_("Bank account: bank")),
        Column("bank_branch", "开户支行", "bank_branch", help=_("Bank account: branch")),
        Column("bank_account_number", "银行账号", "bank_account_number", v.raw_text,
               help=_("Bank account: account number"), aliases=("账号",)),
    ]  # fmt: skip


def classification_columns(dimensions: list[ClassificationDimension]) -> list[Column]:
    """One column per active dimension, headed by its name; a value's name or code."""
    columns = []
    for dimension in dimensions:
        values = [x for x in dimension.values.all() if x.is_active]
        options = {x.name: x.pk for x in values} | {x.code: x.pk for x in values}
        names = "、".join(x.name for x in values)
        columns.append(
            Column(
                f"class:{dimension.code}",
                dimension.name,
                dimension.code,
                v.choice(options, format_lazy("{}{}", _("Choose one of: "), names)),
                help=format_lazy("{}: {}", _("Classification"), dimension.name),
                allowed=names,
            )
        )
    return columns
