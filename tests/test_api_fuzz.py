"""The API against its own OpenAPI schema, fuzzed with schemathesis: every operation, with
generated valid and invalid input, as an account manager, on the demo data. A bounded budget
(a fixed number of examples per operation, derandomised so a run can be repeated): no server
error and no response that contradicts the schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from kehu.api.services import create_token
from kehu.core.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

EXAMPLES_PER_OPERATION = 5


def _spec() -> dict[str, Any]:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return dict(json.loads(OpenApiJsonRenderer().render(generated)))


schema = schemathesis.openapi.from_dict(_spec())
schema.app = get_wsgi_application()


@pytest.fixture
def token(demo: dict[str, User]) -> Iterator[str]:
    """manager1's token; the WSGI app keeps the test's connection open (as Django's test
    client does), so that every request runs inside the test's transaction."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    try:
        yield create_token(demo["manager1"], "fuzz")[1]
    finally:
        for signal in signals:
            signal.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_within_its_schema(case: Any, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
