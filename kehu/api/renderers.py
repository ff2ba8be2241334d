"""The API's JSON, written by orjson: the same bytes as DRF's `JSONRenderer` (compact,
UTF-8, U+2028/U+2029 escaped), without DRF's encoder walking every value in Python."""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils import encoders

_OPTIONS = (
    orjson.OPT_NON_STR_KEYS  # as json.dumps: {1: …} becomes {"1": …}
    # Values json.dumps cannot write go to DRF's encoder, which formats them its own way.
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)
_drf_default = encoders.JSONEncoder().default


class FastJSONRenderer(renderers.JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Any = None,
    ) -> bytes:
        if data is None:
            return b""
        indented = self.get_indent(accepted_media_type or "", renderer_context or {}) is not None
        if indented or not self.compact or self.ensure_ascii:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            text = orjson.dumps(data, default=_drf_default, option=_OPTIONS)
        except orjson.JSONEncodeError:  # integers beyond 64 bits, or other edge cases
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF: a strict subset of JavaScript. (U+2028 and U+2029 share their first two
        # bytes in UTF-8: one scan of the whole text usually says neither is there.)
        if b"\xe2\x80" not in text:
            return text
        return text.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")
