"""Side-by-side table of several result files (e.g. the SQLite and the PostgreSQL run):

.venv/bin/python -m bench.combine bench/results/A-sqlite.json bench/results/B-postgresql.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def main(paths: list[str]) -> int:
    runs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    heads = [
        f"{r['machine']['database'].split(' (')[0]}, {r['machine']['date'][:10]}" for r in runs
    ]
    print(
        "| Benchmark | Case | "
        + " | ".join(f"{h}: subject / baseline | ratio" for h in heads)
        + " |"
    )
    print("|---|---|" + "---:|---:|" * len(runs))
    cases: dict[tuple[str, str], list[Any]] = {}
    for i, run in enumerate(runs):
        for result in run["results"]:
            for c in result.get("comparisons", []):
                row = cases.setdefault((result["name"], c["case"]), [None] * len(runs))
                row[i] = c
    for (name, case), row in cases.items():
        cells = [
            f"{c['subject']} / {c['baseline']} | {c['ratio']:.2f}x" if c else "— | —" for c in row
        ]
        print(f"| {name} | {case} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
