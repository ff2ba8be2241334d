"""Demo organisation and one user per role. Loaded once; re-running keeps data."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kehu.accounts.services import enrol_known_secret
from kehu.audit.context import SYSTEM, acting_as
from kehu.core import services
from kehu.core.models import OrgUnit, Role, UnitKind, User

UNITS = [
    # code, name, kind, parent code
    ("GRP", "华夏客户集团", UnitKind.GROUP, None),
    ("BJ", "北京华夏贸易有限公司", UnitKind.SUBSIDIARY, "GRP"),
    ("SH", "上海华夏服务有限公司", UnitKind.SUBSIDIARY, "GRP"),
    ("SALE", "销售部", UnitKind.DEPARTMENT, "BJ"),
    ("MKT", "市场部", UnitKind.DEPARTMENT, "BJ"),
    ("SVC", "客户服务部", UnitKind.DEPARTMENT, "BJ"),
    ("LEGAL", "法务合规部", UnitKind.DEPARTMENT, "BJ"),
    ("FIN", "财务部", UnitKind.DEPARTMENT, "BJ"),
    ("ARCH", "档案室", UnitKind.DEPARTMENT, "BJ"),
    ("CREDIT", "信用管理部", UnitKind.DEPARTMENT, "BJ"),
    # 公司生产处: joins the handling of a complaint about below-standard service (seed 003).
    ("PROD", "生产处", UnitKind.DEPARTMENT, "BJ"),
    ("SH-SALE", "上海销售部", UnitKind.DEPARTMENT, "SH"),
    ("SH-SVC", "上海客户服务部", UnitKind.DEPARTMENT, "SH"),
]

USERS = [
    # username, full name, primary unit, [(role, unit)]
    ("admin", "系统管理员", "GRP", [(Role.SYSTEM_ADMIN, "GRP")]),
    ("manager1", "张伟", "SALE", [(Role.ACCOUNT_MANAGER, "SALE")]),
    ("manager2", "李娜", "SALE", [(Role.ACCOUNT_MANAGER, "SALE")]),
    ("manager3", "黄磊", "MKT", [(Role.ACCOUNT_MANAGER, "MKT")]),
    ("manager4", "徐静", "SH-SALE", [(Role.ACCOUNT_MANAGER, "SH-SALE")]),
    ("head_sale", "王强", "SALE", [(Role.DEPARTMENT_HEAD, "SALE")]),
    ("head_prod", "郑工", "PROD", [(Role.DEPARTMENT_HEAD, "PROD")]),
    ("compliance", "刘洋", "LEGAL", [(Role.COMPLIANCE, "BJ")]),
    # The credit (contract) officer of the seeds: both roles on one person.
    ("credit", "陈静", "CREDIT", [(Role.CREDIT_MANAGER, "BJ"), (Role.CONTRACT_OFFICER, "BJ")]),
    ("archivist", "赵敏", "ARCH", [(Role.ARCHIVIST, "BJ")]),
    ("finance", "孙丽", "FIN", [(Role.FINANCE, "BJ")]),
    ("gm", "周总", "BJ", [(Role.GENERAL_MANAGER, "BJ")]),
    ("auditor", "吴审", "GRP", [(Role.AUDITOR, "GRP")]),
]
# How many roles the demo users hold in all (the credit officer holds two).
ROLE_GRANTS = sum(len(grants) for *_user, grants in USERS)


def load_demo() -> bool:
    """Create the demo data unless any user exists. Returns True when it loaded."""
    if User.objects.exists():
        return False
    with acting_as(SYSTEM), transaction.atomic():
        units: dict[str, OrgUnit] = {}
        for code, name, kind, parent in UNITS:
            units[code] = services.create_unit(
                {"name": name, "code": code, "kind": kind, "parent": units.get(parent or "")}
            )
        today = timezone.localdate()
        for username, full_name, unit_code, grants in USERS:
            user = services.create_user(
                {
                    "username": username,
                    "full_name": full_name,
                    "email": f"{username}@kehu.example",
                    "unit": units[unit_code],
                    "is_active": True,
                    "password": settings.KEHU_DEMO_PASSWORD,
                }
            )
            if username == "archivist":
                services.save_certification(
                    user,
                    {
                        "education": "bachelor",
                        "training_date": today - datetime.timedelta(days=60),
                        "exam_date": today - datetime.timedelta(days=30),
                        "certificate_no": "DA-2026-0001",
                        "valid_until": today + datetime.timedelta(days=3 * 365),
                    },
                )
            for role, grant_unit in grants:
                services.grant_role(user, role, units[grant_unit])
            if {role for role, _unit in grants} & set(settings.KEHU_TOTP_REQUIRED_ROLES):
                # Their role needs a second factor: a device with the README's known key.
                enrol_known_secret(user, settings.KEHU_DEMO_TOTP_SECRET)
    return True
