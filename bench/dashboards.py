"""Benchmark 9 — the home page and its dashboard panels at N customers.

The customers of benchmark 5 (`bench/customer_data.py`: N customers over 10 sales departments,
ANALYZE), with the demo's classification values assigned to every customer of a few (one in
ten). Through the test client it times the home page (which shows its counters and names
its panels; the panels load afterwards) and each panel a role sees, as a department head
(≈ N/10 customers in scope) and as the group's general manager (all N).

Baseline: the customers panel's GROUP BY queries alone, evaluated outside the view (status
over the scope, industry and province over its active register)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Count
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.customers import _generate, _p95, _queries
from bench.harness import Measurement, Results, measure_alternating
from kehu.core import policy
from kehu.core.dashboard import panels_for
from kehu.core.models import OrgUnit, Role, RoleAssignment, User
from kehu.customers.models import ACTIVE_REGISTER, Customer


def _general_manager() -> User:
    group = OrgUnit.objects.get(parent__isnull=True)
    user = User.objects.create_user(username="bench-gm", password=None, unit=group)
    RoleAssignment.objects.create(user=user, role=Role.GENERAL_MANAGER, unit=group)
    return user


def _signed_in(user: User) -> Client:
    """A client past the sign-in: second factor passed (a general manager needs one)."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def run(config: dict[str, Any]) -> Results:
    count = int(config["customers"])
    reps = max(10, int(config["page_reps"]) // 2)
    results = Results("dashboards")
    org = _generate(results, count, bool(config.get("reuse")))
    head = org.heads[org.departments[0].pk]
    cases: list[tuple[Measurement, Callable[[], Any]]] = []

    def add(key: str, label: str, fn: Callable[[], Any]) -> None:
        m = results.add(Measurement(key, label, 1, "page"))
        m.extra["queries"] = _queries(fn)
        cases.append((m, fn))

    for who, user in (("head", head), ("gm", _general_manager())):
        client = _signed_in(user)

        def get(url: str, client: Client = client) -> None:
            response = client.get(url)
            assert response.status_code == 200, (
                url,
                response.status_code,
                response.get("Location"),
            )

        add(f"{who}_home", f"{who}: GET / (counters, panels named)", lambda g=get: g("/"))
        for found in panels_for(user):
            url = f"/dashboard/{found.slug}/"
            add(f"{who}_{found.slug}", f"{who}: GET {url}", lambda g=get, u=url: g(u))
        scoped = policy.scope(user, Customer.objects.all())

        def bare(scoped: Any = scoped) -> None:
            active = scoped.filter(status__in=ACTIVE_REGISTER).order_by()
            list(scoped.order_by().values("status").annotate(n=Count("pk")))
            list(active.values("industry").annotate(n=Count("pk")))
            list(active.values("province").annotate(n=Count("pk")))

        add(f"{who}_bare", f"{who}: the customer GROUP BYs alone", bare)
        results.compare(
            f"{who}: customers panel vs its GROUP BYs", f"{who}_customers", f"{who}_bare"
        )
    measure_alternating(cases, reps)
    for m in results.measurements.values():
        m.extra["p95_ms"] = round(_p95(m.times) * 1000, 2)
    return results
