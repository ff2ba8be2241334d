"""Uploads with active content are refused and leave nothing behind: PDFs with scripts or launch
actions (also spelt with #-escapes or packed in the name tree), polyglots (PDF + ZIP holding a
program, PDF + HTML, JPEG + HTML, PNG + HTML) and Office files whose directory under-states what
they inflate to. Ordinary PDFs, images and Office files still pass."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.documents import samples, services
from kehu.documents.models import Document, DocumentType, DocumentVersion
from kehu.documents.tests.conftest import PNG, docx_bytes, pdf_bytes, upload_file
from kehu.documents.tests.test_documents import api, make_customer, stored_count
from kehu.infra.pdf import register_fonts

pytestmark = pytest.mark.django_db


def raw_pdf(*objects: bytes, catalog_extra: bytes = b"") -> bytes:
    """A small PDF whose catalog is object 1 (with `catalog_extra`), pages 2, page 3, and the
    given objects from 4 on."""
    bodies = [
        b"<</Type/Catalog/Pages 2 0 R" + catalog_extra + b">>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>",
        *objects,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj".encode() + body + b"endobj\n"
    xref = len(out)
    out += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer<</Size {len(bodies) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def names_tree_javascript() -> bytes:
    """Document-level JavaScript in the catalog's name tree, the script in a stream."""
    return raw_pdf(
        b"<</Names[(init) 5 0 R]>>",
        b"<</S/JavaScript/JS 6 0 R>>",
        b"<</Length 13>>stream\napp.alert(1);\nendstream",
        catalog_extra=b"/Names<</JavaScript 4 0 R>>",
    )


def zip_with_program() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("setup.exe", b"MZ\x90\x00" + b"\x00" * 60 + _DOS_STUB)
    return buffer.getvalue()


_DOS_STUB = b"This program cannot be run in DOS mode.\r\r\n$"
HTML = b"<html><body><script>fetch('/api/v1/customers/')</script></body></html>"
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xdb\x00\x43\x00" + bytes(range(1, 65)) + b"\xff\xd9"
)


def jpeg_with_comment(text: bytes) -> bytes:
    comment = b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text
    return JPEG[:20] + comment + JPEG[20:]


def lying_docx() -> bytes:
    """A .docx whose document.xml inflates to 20 MB while its headers say 1,000 bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>" + b" " * (20 * 1024 * 1024))
    data = bytearray(buffer.getvalue())
    name = b"word/document.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        while start != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[start + size_at : start + size_at + 4] = struct.pack("<I", 1000)
            start = data.find(signature, start + 1)
    return bytes(data)


def object_stream_javascript() -> bytes:
    """The script action packed, deflated, in an object stream."""
    packed = zlib.compress(b"5 0 <</S/JavaScript/JS(app.alert(1))>>")
    return raw_pdf(
        b"<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length "
        + str(len(packed)).encode()
        + b">>stream\n"
        + packed
        + b"\nendstream",
        catalog_extra=b"/OpenAction 5 0 R",
    )


OBFUSCATED_JS = b"<</S/J#61vaScript/J#53(app.alert(1))>>"

REFUSED = [
    (
        "open-action.pdf",
        raw_pdf(b"<</S/JavaScript/JS(app.alert(1))>>", catalog_extra=b"/OpenAction 4 0 R"),
        "scripts",
    ),
    ("escaped.pdf", raw_pdf(OBFUSCATED_JS, catalog_extra=b"/OpenAction 4 0 R"), "scripts"),
    ("names.pdf", names_tree_javascript(), "scripts"),
    (
        "launch.pdf",
        raw_pdf(b"<</S/Launch/F(cmd.exe)>>", catalog_extra=b"/OpenAction 4 0 R"),
        "scripts",
    ),
    ("attached.pdf", raw_pdf(b"<</Type/EmbeddedFile/Length 0>>stream\n\nendstream"), "scripts"),
    ("object-stream.pdf", object_stream_javascript(), "scripts"),
    ("pdf-zip.pdf", pdf_bytes() + zip_with_program(), "hidden inside"),
    ("pdf-html.pdf", pdf_bytes().replace(b"\n", b"\n%" + HTML + b"\n", 1), "web page"),
    ("jpeg-html.jpg", jpeg_with_comment(HTML), "web page"),
    ("png-html.png", PNG + HTML, "web page"),
    ("png-exe.png", PNG + b"MZ\x90\x00" + b"\x00" * 60 + _DOS_STUB, "hidden inside"),
]


def licence() -> DocumentType:
    return DocumentType.objects.get(code="business_licence")


@pytest.fixture
def customer(demo: dict[str, User]) -> Customer:
    return make_customer(demo["manager1"])


@pytest.mark.parametrize(("name", "content", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_active_content_is_refused_and_nothing_is_kept(
    customer: Customer, demo: dict[str, User], files_dir: Path, name: str, content: bytes,
    message: str,
) -> None:  # fmt: skip
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.document_upload(customer, licence(), upload_file(name, content), demo["manager1"])
    assert message in " ".join(error.value.messages) or _zh(message) in " ".join(
        error.value.messages
    )
    assert Document.objects.count() == 0
    assert DocumentVersion.objects.count() == 0
    assert stored_count(files_dir) == 0
    assert AuditEvent.objects.count() == events


def _zh(message: str) -> str:
    return {"scripts": "脚本", "hidden inside": "隐藏", "web page": "网页"}[message]


def test_an_office_file_that_lies_about_its_size_is_refused(
    customer: Customer, demo: dict[str, User], files_dir: Path
) -> None:
    statement = DocumentType.objects.get(code="financial_statement")
    with pytest.raises(ValidationError):
        services.document_upload(
            customer, statement, upload_file("bomb.docx", lying_docx()), demo["manager1"]
        )
    assert stored_count(files_dir) == 0
    services.document_upload(
        customer, statement, upload_file("ok.docx", docx_bytes()), demo["manager1"]
    )
    assert DocumentVersion.objects.count() == 1


def test_ordinary_files_still_pass(customer: Customer, demo: dict[str, User]) -> None:
    generated = reportlab_pdf()
    for name, content in [
        ("a.pdf", pdf_bytes()),
        ("b.pdf", samples.pdf("Business licence")),
        ("c.pdf", generated),
        ("d.png", samples.png()),
        ("e.png", PNG),
        ("f.jpg", jpeg_with_comment(b"Created with a camera")),
    ]:
        services.document_upload(customer, licence(), upload_file(name, content), demo["manager1"])
    assert DocumentVersion.objects.count() == 6


def reportlab_pdf() -> bytes:
    """A PDF as Kehu's own PDFs are written: embedded CJK font subset, compressed streams."""
    from reportlab.pdfgen import canvas

    font = register_fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont(font, 14)
    page.drawString(72, 720, "营业执照 扫描件 Kehu")
    page.save()
    return buffer.getvalue()


def test_the_api_refuses_a_polyglot(customer: Customer, demo: dict[str, User]) -> None:
    client = api(demo["manager1"])
    response = client.post(
        f"/api/v1/customers/{customer.pk}/documents/",
        {
            "file": upload_file("x.pdf", pdf_bytes() + zip_with_program()),
            "doc_type": "business_licence",
        },
    )
    assert response.status_code == 400
    assert "file" in response.json()
    assert DocumentVersion.objects.count() == 0


def test_compressed_streams_do_not_trip_the_scan() -> None:
    """Random-looking compressed bytes are not taken for a hidden format."""
    noise = zlib.compress(bytes((n * 7919) % 251 for n in range(2_000_000)), 9)
    from kehu.infra.active_content import refusal

    assert refusal(upload_file("noise.png", PNG + noise, "image/png"), "image/png") == ""
