"""What a runner gets: its job, its owner, the uploaded file, and the means to report progress,
notice a cancellation and leave a result file."""

from __future__ import annotations

import datetime
import io
import os
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files import File
from django.utils import timezone

from kehu.core import storage
from kehu.generic.models import UserJob

# Progress is written at most this often (seconds): a runner may report every row.
PROGRESS_EVERY = 0.5


class JobCancelled(Exception):
    """The owner cancelled the job; the runner stops where it is."""


class JobContext:
    def __init__(self, job: UserJob) -> None:
        self.job = job
        self.user = job.owner
        self.params: dict[str, Any] = job.params
        self._last_write = 0.0

    def read_input(self) -> bytes | None:
        """The file uploaded with the job, decrypted, or None."""
        if not self.job.input_file:
            return None
        return b"".join(storage.iter_plain(self.job.input_file))

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Record how far the job is (written at most every PROGRESS_EVERY seconds, and
        always when done reaches total); raises JobCancelled when the owner cancelled. Call it
        between transactions: inside one, others see it only at the commit."""
        self.job.done = done
        if total is not None:
            self.job.total = total
        if message:
            self.job.message = message[:300]
        now = time.monotonic()
        if now - self._last_write < PROGRESS_EVERY and done != self.job.total:
            return
        self._last_write = now
        UserJob.objects.filter(pk=self.job.pk).update(
            done=self.job.done,
            total=self.job.total,
            message=self.job.message,
            progress_at=timezone.now(),
        )
        self.check_cancelled()

    def check_cancelled(self) -> None:
        if UserJob.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise JobCancelled

    def attach_result(
        self,
        name: str,
        content: bytes | Iterable[bytes] | str | os.PathLike[str],
        content_type: str,
    ) -> None:
        """Keep the job's result file (encrypted), downloadable by the owner for
        KEHU_JOB_RESULT_DAYS days: bytes, an iterable of byte chunks, or a file's path."""
        if isinstance(content, bytes):
            stored = storage.store(f"jobs/{self.job.pk}/{name}", io.BytesIO(content))
        elif isinstance(content, str | os.PathLike):
            with open(content, "rb") as handle:
                stored = storage.store(f"jobs/{self.job.pk}/{name}", File(handle, name=name))
        else:
            stored = storage.store(f"jobs/{self.job.pk}/{name}", _ChunkReader(content))
        if self.job.result_file and self.job.result_file != stored.name:
            storage.delete(self.job.result_file)
        self.job.result_file = stored.name
        self.job.result_name = name
        self.job.result_type = content_type
        self.job.result_size = stored.size
        self.job.result_sha256 = stored.sha256
        self.job.result_expires_at = timezone.now() + datetime.timedelta(
            days=settings.KEHU_JOB_RESULT_DAYS
        )
        self.job.save(
            update_fields=[
                "result_file",
                "result_name",
                "result_type",
                "result_size",
                "result_sha256",
                "result_expires_at",
            ]
        )


class _ChunkReader(io.RawIOBase):
    """A binary file object over an iterable of byte chunks (for the storage's encryption)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size
