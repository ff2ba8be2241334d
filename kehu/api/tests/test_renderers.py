"""The API's orjson renderer writes what DRF's JSONRenderer writes."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from kehu.api.renderers import FastJSONRenderer

SHANGHAI = ZoneInfo("Asia/Shanghai")
NO_SERIALIZER: Any = None  # ReturnDict/ReturnList as a serializer gives them
PAYLOAD = {
    "name": "北京华夏科技有限公司",
    "line separators": "a\u2028b\u2029c",
    "quote and control": 'say "hi"\n\t\x01',
    "lazy": gettext_lazy("You do not have permission to do this."),
    "amount": decimal.Decimal("12345.67"),
    "when": datetime.datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=SHANGHAI),
    "utc": datetime.datetime(2026, 11, 23, 1, 0, tzinfo=datetime.UTC),
    "day": datetime.date(2026, 11, 23),
    "time": datetime.time(8, 5, 1, 250000),
    "span": datetime.timedelta(days=2, seconds=5),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "numbers": [0, -1, 2**62, 1.5, True, False, None],
    "results": ReturnList(
        [ReturnDict({"a": 1}, serializer=NO_SERIALIZER)], serializer=NO_SERIALIZER
    ),
    1: "an integer key",
    "bytes": b"raw",
}


def test_it_writes_the_bytes_drf_writes() -> None:
    assert FastJSONRenderer().render(PAYLOAD) == JSONRenderer().render(PAYLOAD)


def test_indented_output_is_drfs() -> None:
    accepted = "application/json; indent=2"
    fast = FastJSONRenderer().render(PAYLOAD, accepted)
    assert fast == JSONRenderer().render(PAYLOAD, accepted)
    assert b'\n  "name"' in fast


def test_nothing_is_empty_and_huge_integers_still_work() -> None:
    assert FastJSONRenderer().render(None) == b""
    huge = {"n": 2**70}
    assert FastJSONRenderer().render(huge) == b'{"n":1180591620717411303424}'
