"""Demo customers: a few hundred realistic organisations and people with valid
credit codes and ID numbers, contacts, bank accounts and classifications, spread over the
sales departments. The same generator feeds the benchmarks (bench/), so it is deterministic
for a given seed and cheap per row."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from typing import Any

from django.db import transaction

from kehu.audit.context import SYSTEM, acting_as
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.identifiers import make_credit_code, make_id_number, org_code_check
from kehu.customers.models import (
    ClassificationDimension,
    ClassificationValue,
    CustomerKind,
    CustomerStatus,
    Industry,
    Nature,
)

DIMENSIONS = [
    # code, name, [(value code, value name)]
    (
        "relationship",
        "关系标签",
        [
            ("strategic", "战略客户"),
            ("channel", "渠道客户"),
            ("potential", "潜在客户"),
            ("ordinary", "普通客户"),
        ],
    ),
    ("time", "时间", [("old", "老客户"), ("new", "新客户"), ("future", "未来客户")]),
    (
        "stage",
        "交易阶段",
        [
            ("past", "过去交易"),
            ("current", "现在交易"),
            ("upcoming", "未来交易"),
        ],
    ),
    (
        "nature",
        "客户性质",
        [
            ("government", "政府"),
            ("special", "特殊客户"),
            ("company", "普通公司"),
            ("individual", "个人"),
            ("partner", "合作伙伴"),
        ],
    ),
    (
        "volume",
        "交易量",
        [
            ("major", "主力客户"),
            ("general", "一般客户"),
            ("scattered", "零散客户"),
        ],
    ),
]

# city, province, area code, ID number region code, credit-code region code
CITIES = [
    ("北京", "北京市", "010", "110105", "110105"),
    ("上海", "上海市", "021", "310104", "310104"),
    ("广州", "广东省", "020", "440106", "440106"),
    ("深圳", "广东省", "0755", "440305", "440305"),
    ("杭州", "浙江省", "0571", "330106", "330106"),
    ("南京", "江苏省", "025", "320102", "320102"),
    ("成都", "四川省", "028", "510104", "510104"),
    ("武汉", "湖北省", "027", "420106", "420106"),
    ("西安", "陕西省", "029", "610113", "610113"),
    ("天津", "天津市", "022", "120101", "120101"),
]
BRANDS = list("华夏中科恒信瑞达鼎盛天成金鹏宏远博文嘉和永安新创汇丰宇通泰和明德安捷")
TRADES = [
    ("科技", Industry.I, "软件开发、信息技术咨询服务"),
    ("贸易", Industry.F, "日用百货、五金交电的批发与零售"),
    ("建设工程", Industry.E, "房屋建筑工程、市政公用工程施工"),
    ("物流", Industry.G, "普通货运、仓储服务、货物运输代理"),
    ("食品", Industry.C, "食品生产、销售"),
    ("医药", Industry.F, "药品批发、医疗器械销售"),
    ("电子", Industry.C, "电子元器件制造、销售"),
    ("咨询", Industry.L, "企业管理咨询、商务信息咨询"),
    ("餐饮管理", Industry.H, "餐饮服务、餐饮管理"),
    ("教育科技", Industry.P, "教育咨询、技术培训"),
]
FORMS = ["有限公司", "有限责任公司", "股份有限公司"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐")
GIVEN = list("伟芳娜秀敏静丽强磊军洋勇艳杰涛明超霞平刚桂英华玉兰红")
TITLES = ["总经理", "采购经理", "财务总监", "技术主管", "行政主管", "销售总监"]
ROLES = ["decision_maker", "purchaser", "finance", "technical", "influencer", "user"]
BANKS = ["中国工商银行", "中国建设银行", "中国银行", "中国农业银行", "招商银行", "交通银行"]
OCCUPATIONS = ["工程师", "教师", "医生", "个体经营者", "设计师", "会计"]
# department code → usernames of account managers there
OWNERS = {"SALE": ["manager1", "manager2"], "MKT": ["manager3"], "SH-SALE": ["manager4"]}
# No customer is put "in filing" here: a customer is in filing through a filing, and the
# filing demo (kehu.filing.demo) makes those with their cases.
STATUSES = [CustomerStatus.ACTIVE] * 6 + [
    CustomerStatus.PROSPECT,
    CustomerStatus.PROSPECT,
    CustomerStatus.SUSPENDED,
    CustomerStatus.PAST,
]


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


MOBILE_PREFIXES = ["135", "136", "138", "139", "150", "158", "186", "188", "133", "189"]


def _mobile(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def _credit_code(rng: random.Random, region: str, n: int) -> str:
    org = f"{n:08d}"[-8:]
    org = f"MA{rng.randrange(10**6):06d}"[:8] if n % 3 == 0 else org
    org_full = org + org_code_check(org)
    return make_credit_code("91" + region + org_full)


def generate(count: int, seed: int = 2026, start: int = 1) -> Iterator[dict[str, Any]]:
    """Customer data dicts (plus "contacts", "account", "status", "dept"), numbered from
    `start` so that several batches never repeat a credit code or ID number."""
    rng = random.Random(seed + start)
    today = datetime.date(2026, 11, 1)
    for n in range(start, start + count):
        city, province, area, id_region, cc_region = rng.choice(CITIES)
        dept = rng.choice(["SALE", "SALE", "SALE", "MKT", "SH-SALE"])
        if n % 7 == 0:
            birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(15000))
            gender_digit = rng.randrange(10)
            body = f"{id_region}{birth:%Y%m%d}{n % 100:02d}{gender_digit}"
            yield {
                "kind": CustomerKind.INDIVIDUAL,
                "name": _person_name(rng),
                "id_number": make_id_number(body),
                "occupation": rng.choice(OCCUPATIONS),
                "employer": f"{city}{rng.choice(BRANDS)}{rng.choice(TRADES)[0]}有限公司",
                "phone": _mobile(rng),
                "address": f"{city}市某区某路{rng.randrange(1, 300)}号",
                "province": province,
                "city": city,
                "dept": dept,
                "status": rng.choice(STATUSES),
                "contacts": [],
            }
            continue
        trade, industry, scope = rng.choice(TRADES)
        brand = rng.choice(BRANDS) + rng.choice(BRANDS)
        name = f"{city}{brand}{trade}{rng.choice(FORMS)}"
        if n > 1:
            name = f"{city}{brand}{trade}{rng.choice(FORMS)}" if n % 11 else name
        founded = today - datetime.timedelta(days=rng.randrange(400, 9000))
        legal_rep = _person_name(rng)
        contacts = []
        for index in range(rng.choice((1, 2, 2, 3))):
            contacts.append(
                {
                    "name": _person_name(rng),
                    "gender": rng.choice(("male", "female")),
                    "title": rng.choice(TITLES),
                    "mobile": _mobile(rng),
                    "role": rng.choice(ROLES),
                    "influence": rng.choice((10, 20, 30, 40, 60, 80)),
                    "is_primary": index == 0,
                }
            )
        yield {
            "kind": CustomerKind.ORGANIZATION,
            "name": name,
            "credit_code": _credit_code(rng, cc_region, n),
            "nature": rng.choice([Nature.PRIVATE] * 4 + [Nature.STATE_OWNED, Nature.FOREIGN]),
            "industry": industry,
            "legal_rep_name": legal_rep,
            "legal_rep_title": "执行董事",
            "registered_address": f"{city}市某区科技路{rng.randrange(1, 500)}号",
            "operating_address": f"{city}市某区商务大厦{rng.randrange(1, 30)}层",
            "founded_on": founded,
            "registered_capital": rng.choice((100, 500, 1000, 3000, 5000)) * 10_000,
            "business_scope": scope,
            "licence_valid_until": today + datetime.timedelta(days=rng.randrange(-60, 3000)),
            "issuing_authority": f"{city}市市场监督管理局",
            "phone": f"{area}-{rng.randrange(2, 9)}{rng.randrange(10**7):07d}"[: len(area) + 9],
            "email": f"contact{n}@example.cn",
            "province": province,
            "city": city,
            "products": "办公设备及技术服务",
            "cooperation_since": founded + datetime.timedelta(days=300),
            "dept": dept,
            "status": rng.choice(STATUSES),
            "contacts": contacts,
            "account": {
                "bank_name": rng.choice(BANKS),
                "branch": f"{city}分行营业部",
                "account_number": f"{rng.randrange(10**18):019d}",
            },
        }


def load_classifications() -> dict[str, list[ClassificationValue]]:
    values: dict[str, list[ClassificationValue]] = {}
    for order, (code, name, choices) in enumerate(DIMENSIONS, start=1):
        dimension, _created = ClassificationDimension.objects.get_or_create(
            code=code, defaults={"name": name, "order": order}
        )
        values[code] = [
            ClassificationValue.objects.get_or_create(
                dimension=dimension, code=value_code, defaults={"name": value_name, "order": i}
            )[0]
            for i, (value_code, value_name) in enumerate(choices, start=1)
        ]
    return values


def load(count: int | None = None) -> int:
    """Create the demo customers through the services (audited like any user's work)."""
    from django.conf import settings

    from kehu.customers.models import Customer

    count = settings.KEHU_DEMO_CUSTOMERS if count is None else count
    if Customer.objects.exists():
        return 0
    rng = random.Random(7)
    users = {u.username: u for u in User.objects.select_related("unit")}
    created = 0
    with acting_as(SYSTEM), transaction.atomic():
        classes = load_classifications()
        for data in generate(count):
            owner = users.get(rng.choice(OWNERS[data.pop("dept")]))
            if owner is None or owner.unit is None:
                continue
            contacts = data.pop("contacts")
            account = data.pop("account", None)
            status = data.pop("status")
            chosen = [rng.choice(vals) for vals in classes.values()]
            with services.deferred_derivation():
                customer = services.create_customer(
                    {**data, "owner": owner, "unit": owner.unit, "classifications": chosen}
                )
                for contact in contacts:
                    services.create_contact({**contact, "customer": customer})
                if account:
                    account |= {"customer": customer, "account_name": customer.name}
                    services.create_bank_account({**account, "is_primary": True})
            for step in _path_to(status):
                services.change_status(customer, step, "演示数据", owner)
            created += 1
    return created


def _path_to(status: str) -> list[str]:
    S = CustomerStatus
    paths: dict[str, list[str]] = {
        S.PROSPECT: [],
        S.IN_FILING: [S.IN_FILING],
        S.ACTIVE: [S.IN_FILING, S.ACTIVE],
        S.SUSPENDED: [S.IN_FILING, S.ACTIVE, S.SUSPENDED],
        S.PAST: [S.IN_FILING, S.ACTIVE, S.PAST],
    }
    return paths[status]
