"""The checks of a restored copy, run by a Kehu process pointed at it (`kehu backup
after-restore`, started by the restore): the audit chain against the heads exported up to
the backup's point, the stored documents against their SHA-256, and the deletion ledger
applied again."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import CommandError, call_command

from kehu.audit.context import SYSTEM, acting_as
from kehu.audit.heads import read_exports
from kehu.audit.models import ChainHead


def hand_over_heads(exported: Path) -> dict[str, int]:
    """Copy the exported heads the restored chain can have (up to its end) into
    KEHU_AUDIT_HEAD_DIR; heads exported after the backup name events it cannot hold."""
    end = ChainHead.objects.get(pk=1).seq
    entries = read_exports([exported]) if exported.is_dir() else {}
    kept = [entry for seq, entry in sorted(entries.items()) if seq <= end]
    folder = Path(settings.KEHU_AUDIT_HEAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(entry) + "\n" for entry in kept)
    (folder / "audit-head-restored.json").write_text(lines, encoding="utf-8")
    return {"chain_end": end, "heads_checked": len(kept), "heads_later": len(entries) - len(kept)}


def _run(*args: Any, **options: Any) -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err, **options)
    except CommandError as error:
        return False, f"{err.getvalue().strip()} {error}".strip()
    return True, out.getvalue().strip()


def after_restore(exported: Path, ledger: Path | None) -> dict[str, Any]:
    result: dict[str, Any] = {"problems": []}
    result["heads"] = hand_over_heads(exported)
    ok, result["audit"] = _run("audit", "verify")
    if not ok:
        result["problems"].append(f"audit verify: {result['audit']}")
    ok, result["documents"] = _run("documents", "verify")
    if not ok:
        result["problems"].append(f"documents verify: {result['documents']}")
    with acting_as(SYSTEM):
        ok, result["privacy"] = _run("privacy_reapply", ledger=str(ledger) if ledger else None)
    if not ok:
        result["problems"].append(f"privacy_reapply: {result['privacy']}")
    return result
