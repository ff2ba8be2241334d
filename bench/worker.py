"""Runs one benchmark in this process, against a fresh data folder and a fresh database.

Started by `python -m bench` as `python -m bench.worker NAME CONFIG_JSON OUT_JSON`; the
environment is set up here before Django is, so every benchmark starts from `migrate`.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import pg
from bench.harness import log


def main(name: str, config_json: str, out: str) -> int:
    config = json.loads(config_json)
    base = config.get("data_dir") or None
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    # --reuse: a named folder (and database) kept for the next run, else throw-away ones.
    reuse = config.get("reuse") or ""
    if reuse:
        data_dir = str(Path(base or tempfile.gettempdir(), f"{name}-{reuse}"))
        Path(data_dir).mkdir(parents=True, exist_ok=True)
    else:
        data_dir = tempfile.mkdtemp(prefix=f"{name}-", dir=base)
    Path(data_dir, "static").mkdir(exist_ok=True)  # STATIC_ROOT, else WhiteNoise warns
    os.environ.update(
        KEHU_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="bench.settings",
        KEHU_LOG_LEVEL="WARNING",
    )
    os.environ.pop("KEHU_DEBUG", None)
    url = config["database"]
    db_name = ""
    if pg.is_postgres(url) and reuse:
        if not pg.database_exists(url, reuse):
            pg.create_database(url, reuse)
        os.environ["KEHU_DATABASE_URL"] = pg.with_database(url, reuse)
    elif pg.is_postgres(url):
        db_name = f"{config.get('pg_prefix') or 'kehu_bench'}_{os.getpid()}"
        os.environ["KEHU_DATABASE_URL"] = pg.create_database(url, db_name)
    else:
        os.environ.pop("KEHU_DATABASE_URL", None)
    from kehu.core.tests.cluster_keys import give_test_keys

    give_test_keys()  # PostgreSQL is cluster mode: keys must be given, none is generated
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        log(f"{name}: migrated a fresh {connection.vendor} database")
        module = importlib.import_module(f"bench.{name}")
        results = module.run(config)
        results.facts["migrate_and_run_s"] = round(time.perf_counter() - started, 1)
        results.facts["database"] = connection.vendor
        Path(out).write_text(json.dumps(results.as_dict(), default=str), encoding="utf-8")
        return 0
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if db_name:
            pg.drop_database(url, db_name)
        if not config.get("keep") and not reuse:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
