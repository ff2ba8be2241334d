"""Synthetic data: units, users and audit events (imported only after django.setup())."""

from __future__ import annotations

import datetime
import random
import secrets
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection
from django.utils import timezone

from kehu.audit.chain import event_hash
from kehu.audit.context import SYSTEM, acting_as
from kehu.audit.keys import audit_key
from kehu.audit.models import GENESIS_HASH, SCHEME_HMAC, AuditEvent, ChainHead
from kehu.core import services
from kehu.core.models import OrgUnit, Role, RoleAssignment, UnitKind, User

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
# Pinyin of SURNAMES, in the same order.
PINYIN = (
    *("wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou"),
    *("xu", "sun", "ma", "zhu", "hu", "guo", "he", "gao", "lin", "luo"),
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
ACTIONS = (
    "core.user.update",
    "core.user.create",
    "core.orgunit.update",
    "auth.login",
    "core.user.export",
)


def analyze() -> None:
    """What autovacuum (PostgreSQL) would have done by now after the bulk insert: planner
    statistics, and the visibility map that index-only scans (counts) rely on — since
    PostgreSQL 13 inserts alone trigger a vacuum. This machine's server runs with autovacuum
    off."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def person(rng: random.Random) -> tuple[str, str]:
    """(full name, pinyin prefix) of a random person."""
    s = rng.randrange(len(SURNAMES))
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return SURNAMES[s] + given, PINYIN[s] + rng.choice(PINYIN)


def make_units(subsidiaries: int = 8, departments: int = 5) -> tuple[OrgUnit, list[OrgUnit]]:
    """A group, its subsidiaries and their departments (audited, like real ones)."""
    units = []
    with acting_as(SYSTEM):
        group = services.create_unit({"name": "基准集团", "code": "BGRP", "kind": UnitKind.GROUP})
        for s in range(1, subsidiaries + 1):
            sub = services.create_unit(
                {
                    "name": f"子公司{s}",
                    "code": f"S{s}",
                    "kind": UnitKind.SUBSIDIARY,
                    "parent": group,
                }
            )
            units.append(sub)
            for d in range(1, departments + 1):
                units.append(
                    services.create_unit(
                        {
                            "name": f"子公司{s}部门{d}",
                            "code": f"S{s}-D{d}",
                            "kind": UnitKind.DEPARTMENT,
                            "parent": sub,
                        }
                    )
                )
    return group, units


def make_user_with_role(username: str, role: str, unit: OrgUnit) -> User:
    with acting_as(SYSTEM):
        user = services.create_user(
            {
                "username": username,
                "full_name": username,
                "email": f"{username}@bench.example",
                "unit": unit,
                "is_active": True,
            }
        )
        services.grant_role(user, role, unit)
    return user


def make_users(count: int, units: list[OrgUnit], seed: int = 1, batch: int = 2000) -> None:
    """`count` users (unusable passwords) spread over `units`; every tenth holds a role."""
    rng = random.Random(seed)
    now = timezone.now()
    for start in range(0, count, batch):
        users = []
        for i in range(start, min(count, start + batch)):
            full_name, prefix = person(rng)
            username = f"{prefix}{i}"
            joined = now - datetime.timedelta(seconds=rng.randrange(5 * 365 * 86400))
            users.append(
                User(
                    username=username,
                    full_name=full_name,
                    email=f"{username}@bench.example",
                    employee_no=f"E{i:07d}",
                    phone=f"1{rng.randrange(3, 10)}{rng.randrange(10**9):09d}",
                    unit=rng.choice(units),
                    is_active=rng.random() > 0.05,
                    date_joined=joined,
                    last_login=joined + datetime.timedelta(days=3) if rng.random() > 0.3 else None,
                    locked_at=now if rng.random() < 0.01 else None,
                    # What make_password(None) returns, at 1/50 of its cost.
                    password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
                )
            )
        User.objects.bulk_create(users)
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=u, role=Role.ACCOUNT_MANAGER, unit=u.unit) for u in users[::10]
        )


def event_content(i: int, rng: random.Random) -> dict[str, Any]:
    """The arguments of one `record()` call, varied like real events."""
    action = ACTIONS[i % len(ACTIONS)]
    object_id = str(rng.randrange(1, 100_000))
    name, prefix = person(rng)
    changes: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if action.endswith("update"):
        changes = {
            "full_name": [person(rng)[0], name],
            "phone": [None, f"13{rng.randrange(10**9):09d}"],
            "is_active": [True, False],
        }
    elif action.endswith("create"):
        changes = {"username": [None, f"{prefix}{object_id}"], "full_name": [None, name]}
    elif action.endswith("export"):
        extra = {"rows": rng.randrange(1, 5000), "filters": {"q": name[:1]}, "format": "xlsx"}
    return {
        "action": action,
        "object_type": "core.user",
        "object_id": object_id,
        "object_repr": f"{name} ({prefix}{object_id})",
        "changes": changes,
        "extra": extra,
    }


def reset_chain() -> None:
    """Empty the audit log and rewind the chain head to genesis."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'TRUNCATE TABLE "{table}"')
        else:
            cursor.execute(f'DELETE FROM "{table}"')
    ChainHead.objects.filter(pk=1).update(
        seq=0, hash=GENESIS_HASH, keyed_from=None, exported_seq=0, exported_at=None
    )


def make_chain(count: int, seed: int = 2, batch: int = 2000) -> str:
    """A valid chain of `count` keyed events written directly (as `record` would have),
    returns the head hash. Much faster than `record` and verifies identically."""
    reset_chain()
    key = audit_key()
    rng = random.Random(seed)
    start = timezone.now() - datetime.timedelta(seconds=count)
    prev = GENESIS_HASH
    events = []
    for seq in range(1, count + 1):
        row: dict[str, Any] = {
            "seq": seq,
            "occurred_at": (
                start + datetime.timedelta(seconds=seq, microseconds=rng.randrange(10**6))
            ).astimezone(datetime.UTC),
            "actor_id": rng.randrange(1, 500),
            "actor_username": person(rng)[1],
            "source_ip": f"10.0.{rng.randrange(256)}.{rng.randrange(256)}",
            **event_content(seq, rng),
            "prev_hash": prev,
            "scheme": SCHEME_HMAC,
        }
        row["hash"] = prev = event_hash(row, key)
        events.append(AuditEvent(**row))
        if len(events) >= batch:
            AuditEvent.objects.bulk_create(events)
            events = []
    AuditEvent.objects.bulk_create(events)
    ChainHead.objects.filter(pk=1).update(seq=count, hash=prev, keyed_from=1 if count else None)
    return prev
