"""Where backups go: a folder (KEHU_BACKUP_DIR) and an S3-compatible bucket (KEHU_BACKUP_S3_*,
off-site). Both hold the same layout: `db/<id>.sqlite.gz.kbak` (the encrypted SQLite copy),
`files/<stored name>` (the documents' blobs, as stored: encrypted by Kehu) and
`manifests/<id>.json`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

READ = 1024 * 1024


def sha256_of(stream: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while block := stream.read(READ):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


class Destination:
    label = ""

    def exists(self, name: str) -> bool:
        raise NotImplementedError

    def put(self, name: str, stream: IO[bytes]) -> None:
        raise NotImplementedError

    def open(self, name: str) -> IO[bytes]:
        raise NotImplementedError

    def names(self, folder: str) -> list[str]:
        raise NotImplementedError

    def delete(self, name: str) -> None:
        raise NotImplementedError

    def put_json(self, name: str, value: Any) -> None:
        import io

        self.put(name, io.BytesIO(json.dumps(value, ensure_ascii=False, indent=1).encode()))

    def read_json(self, name: str) -> Any:
        with self.open(name) as handle:
            return json.loads(handle.read())


class Folder(Destination):
    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = str(root)

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"{name!r} leaves the backup folder")
        return path

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def put(self, name: str, stream: IO[bytes]) -> None:
        """Written to a temporary name and renamed: a copy cut short is never taken as done."""
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = path.with_name(f".{path.name}.{os.getpid()}.part")
        with open(temp, "wb") as out:
            shutil.copyfileobj(stream, out, READ)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)

    def open(self, name: str) -> IO[bytes]:
        return open(self._path(name), "rb")

    def names(self, folder: str) -> list[str]:
        base = self._path(folder)
        if not base.is_dir():
            return []
        return sorted(
            str(p.relative_to(self.root.resolve()))
            for p in base.rglob("*")
            if p.is_file() and not p.name.endswith(".part")
        )

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)


class Bucket(Destination):
    def __init__(self, options: dict[str, Any]) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = options["bucket"]
        self.prefix = (options.get("prefix") or "").strip("/")
        self.label = f"s3://{self.bucket}/{self.prefix}"
        self.client = boto3.client(
            "s3",
            endpoint_url=options.get("endpoint_url"),
            aws_access_key_id=options.get("access_key"),
            aws_secret_access_key=options.get("secret_key"),
            region_name=options.get("region"),
            config=Config(s3={"addressing_style": "path"}),
        )

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError:
            return False
        return True

    def put(self, name: str, stream: IO[bytes]) -> None:
        self.client.upload_fileobj(stream, self.bucket, self._key(name))

    def open(self, name: str) -> IO[bytes]:
        from botocore.exceptions import ClientError

        try:
            body: IO[bytes] = self.client.get_object(Bucket=self.bucket, Key=self._key(name))[
                "Body"
            ]
        except ClientError as error:
            raise FileNotFoundError(name) from error
        return body

    def names(self, folder: str) -> list[str]:
        found = []
        start = len(self._key(""))
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(folder.rstrip("/") + "/")
        )
        for page in pages:
            found += [item["Key"][start:] for item in page.get("Contents", [])]
        return sorted(found)

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))


def folder_problem(root: Path) -> str:
    """Why `root` may not hold backups: inside the data folder (beside the keys) or holding it."""
    data = Path(settings.DATA_DIR).resolve()
    root = root.resolve()
    if root == data or root.is_relative_to(data) or data.is_relative_to(root):
        return _(
            "KEHU_BACKUP_DIR must lie outside the data folder %(data)s: the keys are kept "
            "there, and a backup must not lie beside its keys."
        ) % {"data": data}
    return ""


def configured() -> list[Destination]:
    """The configured destinations, the folder first; ImproperlyConfigured when none is."""
    found: list[Destination] = []
    if settings.KEHU_BACKUP_DIR:
        problem = folder_problem(Path(settings.KEHU_BACKUP_DIR))
        if problem:
            raise ImproperlyConfigured(problem)
        found.append(Folder(Path(settings.KEHU_BACKUP_DIR)))
    if settings.KEHU_BACKUP_S3.get("bucket"):
        found.append(Bucket(settings.KEHU_BACKUP_S3))
    if not found:
        raise ImproperlyConfigured(
            _("No backup destination: set KEHU_BACKUP_DIR and/or KEHU_BACKUP_S3_BUCKET.")
        )
    return found


def by_label(label: str | None) -> Destination:
    """The destination to restore from: "s3", "dir" or None (the first configured)."""
    found = configured()
    if label == "s3":
        found = [d for d in found if isinstance(d, Bucket)]
    elif label == "dir":
        found = [d for d in found if isinstance(d, Folder)]
    if not found:
        raise ImproperlyConfigured(_("That backup destination is not configured."))
    return found[0]


def iter_manifest_ids(destination: Destination) -> Iterator[str]:
    for name in destination.names("manifests"):
        if name.endswith(".json"):
            yield name.removeprefix("manifests/").removesuffix(".json")
