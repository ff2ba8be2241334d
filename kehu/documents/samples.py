"""Small generated files (a one-page PDF, a PNG) for the demo data, tests and benchmarks."""

from __future__ import annotations

import struct
import zlib


def pdf(text: str = "Kehu sample document") -> bytes:
    """A valid one-page PDF showing `text` (ASCII) in Helvetica."""
    safe = text.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 40 120 Td (" + safe + b") Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 420 297]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length " + str(len(stream)).encode() + b">>stream\n" + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj".encode() + body + b"endobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def png(width: int = 240, height: int = 160, seed: int = 1) -> bytes:
    """A valid RGB PNG: a coloured card with stripes (varies with `seed`)."""
    r, g, b = (seed * 53) % 200 + 40, (seed * 97) % 200 + 40, (seed * 31) % 200 + 40
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            stripe = (x // 12 + y // 12) % 2
            rows += bytes((r, g, b)) if stripe else bytes((250, 250, 245))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + chunk(b"IEND", b"")
    )
