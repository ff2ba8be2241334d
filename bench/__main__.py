"""`python -m bench`: run the benchmarks, print ratio tables, save JSON to bench/results/.

Every benchmark runs in its own process (bench.worker) with a fresh data folder and a fresh
database: SQLite in a temporary folder, or `kehu_bench_<pid>` on the PostgreSQL server of
--database / KEHU_DATABASE_URL, dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import pg

BENCHMARKS = (
    "audit_append",
    "audit_verify",
    "list_pages",
    "excel_export",
    "list_export",
    "documents",
    "customers",
    "credit_check",
    "contracts",
    "imports",
    "dashboards",
)
HERE = Path(__file__).resolve().parent
ENV_URL = os.environ.get("KEHU_DATABASE_URL", "")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Kehu benchmarks: ratios against a baseline measured in the same run.",
    )
    parser.add_argument(
        "--database",
        default=ENV_URL if pg.is_postgres(ENV_URL) else "sqlite",
        help="'sqlite' or a postgres:// URL of a server to create kehu_bench_<pid> on "
        "(default: KEHU_DATABASE_URL if it is PostgreSQL, else sqlite)",
    )
    parser.add_argument(
        "--size",
        type=int,
        default=50_000,
        help="users of the list pages, events of the chain verified and customers of the "
        "customer benchmark (default 50000)",
    )
    parser.add_argument(
        "--append-events",
        type=int,
        default=1000,
        help="events per run appended one transaction each (default 1000)",
    )
    parser.add_argument(
        "--append-batch",
        type=int,
        default=1000,
        help="events appended inside one transaction (default 1000)",
    )
    parser.add_argument(
        "--export-rows", type=int, default=5000, help="users exported to Excel (default 5000)"
    )
    parser.add_argument(
        "--document-mb", type=int, default=200, help="size of the document file (default 200)"
    )
    parser.add_argument(
        "--reps",
        type=int,
        default=3,
        help="repetitions per measurement, median reported; list pages use 4x (default 3)",
    )
    parser.add_argument(
        "--only", default="", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}"
    )
    parser.add_argument(
        "--import-reps", type=int, default=1, help="repetitions of each import (default 1)"
    )
    parser.add_argument(
        "--import-cases",
        default="",
        help="imports: only these cases (executemany,kehu,iex_tuned,iex_default)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes for a smoke run (about 30 s)"
    )
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("KEHU_DATA_DIR") or tempfile.gettempdir(),
        help="where the per-benchmark temporary data folders go (default KEHU_DATA_DIR)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folders")
    parser.add_argument(
        "--reuse",
        default="",
        metavar="NAME",
        help="customers only: keep the generated data in DATA_DIR/customers-NAME (and, on "
        "PostgreSQL, in the database NAME) and measure it again on the next run with the "
        "same NAME and --size instead of generating it anew",
    )
    parser.add_argument(
        "--pg-prefix",
        default="kehu_bench",
        help="name prefix of the throw-away PostgreSQL databases (default kehu_bench)",
    )
    parser.add_argument(
        "--results-dir", default=str(HERE / "results"), help="where the JSON results go"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.export_rows = 5000, 2000
        args.append_events = args.append_batch = 200
        args.reps = 2
        args.document_mb = 20
    args.only = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = set(args.only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    if args.database != "sqlite" and not pg.is_postgres(args.database):
        parser.error("--database must be 'sqlite' or a postgres:// URL")
    for value, what in ((args.reuse, "--reuse"), (args.pg_prefix, "--pg-prefix")):
        if value and not pg.is_identifier(value):
            parser.error(f"{what}: lower-case letters, digits and _ only")
    return args


def machine(database: str) -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import django

    if pg.is_postgres(database):
        db = f"PostgreSQL {pg.server_version(database)}"
    else:
        db = f"SQLite {sqlite3.sqlite_version}"
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": db,
        "load_average_at_start": os.getloadavg()[0],
    }


def run_one(name: str, config: dict[str, Any]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.worker", name, json.dumps(config), str(out)],
        cwd=HERE.parent,
    )
    try:
        code = process.wait()
    finally:
        if pg.is_postgres(config["database"]):
            # The worker drops its database; this catches a worker that died first.
            pg.drop_database(config["database"], f"{config['pg_prefix']}_{process.pid}")
    try:
        if code != 0:
            return {"name": name, "error": f"worker exited with status {code}"}
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        result["wall_s"] = round(time.perf_counter() - started, 1)
        return result
    finally:
        out.unlink(missing_ok=True)


def ratio(value: float) -> str:
    return f"{value:.2f}x"


def table(result: dict[str, Any]) -> list[str]:
    lines = [f"### {result['name']}", ""]
    if "error" in result:
        return [*lines, f"FAILED: {result['error']}", ""]

    def described(key: str) -> str:
        m = result["measurements"][key]
        queries = m["extra"].get("queries")
        p95 = m["extra"].get("p95_ms")
        cpu = m["extra"].get("cpu_median_ms")
        return (
            m["label"]
            + (f" [{queries} queries]" if queries is not None else "")
            + (f" (p95 {p95:,.2f} ms)" if p95 is not None else "")
            + (f" (CPU median {cpu:,.2f} ms)" if cpu is not None else "")
        )

    lines += [
        "| Case | Subject | Result | Baseline | Result | Ratio |",
        "|---|---|---:|---|---:|---:|",
    ]
    used = set()
    for c in result["comparisons"]:
        used |= {c["subject_key"], c["baseline_key"]}
        lines.append(
            f"| {c['case']} | {described(c['subject_key'])} | {c['subject']} "
            f"| {described(c['baseline_key'])} | {c['baseline']} | {ratio(c['ratio'])} |"
        )
    others = [k for k in result["measurements"] if k not in used]
    if others:
        lines += ["", "Also measured:", ""]
        for key in others:
            m = result["measurements"][key]
            shown = (
                f"{m['per_second']:,.0f} {m['unit']}/s"
                if m["items"] > 1
                else f"{m['median_s'] * 1000:,.2f} ms"
            )
            lines.append(f"- {described(key)}: {shown}")
    notes = [c for c in result["comparisons"] if c["note"]]
    facts = ", ".join(f"{k}={v}" for k, v in result["facts"].items())
    lines += [""] + [f"Note ({c['case']}): {c['note']}" for c in notes]
    lines += [f"Facts: {facts}; wall time {result.get('wall_s', '?')} s", ""]
    return lines


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    config = {
        "database": args.database,
        "users": args.size,
        "events": args.size,
        "customers": args.size,
        "size": args.size,
        "import_reps": args.import_reps,
        "import_cases": args.import_cases,
        "append_events": args.append_events,
        "append_batch": args.append_batch,
        "export_rows": args.export_rows,
        "document_mb": args.document_mb,
        "reps": args.reps,
        "page_reps": args.reps * 4,
        "data_dir": args.data_dir,
        "keep": args.keep,
        "reuse": args.reuse,
        "pg_prefix": args.pg_prefix,
    }
    info = machine(args.database)
    shown_config = {k: v for k, v in config.items() if k not in {"data_dir", "keep", "pg_prefix"}}
    if pg.is_postgres(args.database):
        shown_config["database"] = "postgresql"
    print(f"Kehu benchmarks on {info['database']}, {info['cores']} cores", file=sys.stderr)
    results = []
    for name in args.only:
        print(f"[{name}]", file=sys.stderr, flush=True)
        results.append(run_one(name, config))

    backend = "postgresql" if pg.is_postgres(args.database) else "sqlite"
    info["load_average_at_end"] = os.getloadavg()[0]
    lines = [
        f"## Kehu benchmarks — {info['database']}, {info['date'][:16].replace('T', ' ')}",
        "",
        f"{info['cores']} cores ({info['cpu']}), Python {info['python']}, "
        f"Django {info['django']}; size {args.size:,}, reps {args.reps} (median); "
        f"1-minute load average {info['load_average_at_start']:.1f} at the start, "
        f"{info['load_average_at_end']:.1f} at the end. "
        "Ratio = subject time per item ÷ baseline time per item (> 1: subject slower).",
        "",
    ]
    for result in results:
        lines += table(result)
    report = "\n".join(lines)
    print(report)

    results_dir = Path(args.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = results_dir / f"{stamp}-{backend}.json"
    payload = {"machine": info, "config": shown_config, "results": results}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    path.with_suffix(".md").write_text(report + "\n", encoding="utf-8")
    print(f"Results: {path}", file=sys.stderr)
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
