"""Fixtures of the documents tests: a private files folder per test, sample files, and an
S3-compatible server (moto) on 127.0.0.1 for the S3 backend."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def pdf_bytes(text: str = "Kehu sample licence") -> bytes:
    body = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]/Contents 4 0 R>>endobj\n"
        + f"4 0 obj<</Length {len(body)}>>stream\n".encode()
        + body
        + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def upload_file(name: str, content: bytes, content_type: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def docx_bytes(macro: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\x00" * 64)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def files_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "files"
    with override_settings(KEHU_FILES_DIR=folder):
        _reset_default_storage()
        yield folder
    _reset_default_storage()


def _reset_default_storage() -> None:
    """The storage builds its backend from the settings once; rebuild it after a change."""
    from kehu.core.storage import storage

    storage()._inner = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """`moto_server` on a free port of 127.0.0.1, stopped by its own PID afterwards."""
    port = _free_port()
    executable = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(executable), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "1"},
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("moto_server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_settings(moto_server: str) -> Iterator[dict[str, Any]]:
    import boto3

    bucket = f"kehu-test-{time.monotonic_ns()}"
    options = {
        "bucket_name": bucket,
        "endpoint_url": moto_server,
        "access_key": "testing",
        "secret_key": "testing",
        "region_name": "us-east-1",
        "location": "",
        "addressing_style": "path",
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
    }
    client = boto3.client(
        "s3",
        endpoint_url=moto_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=bucket)
    with override_settings(KEHU_S3_BUCKET=bucket, KEHU_S3_OPTIONS=options):
        _reset_default_storage()
        yield {"client": client, "bucket": bucket}
    _reset_default_storage()


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """The assertions read the (English) source messages; the UI default is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield
