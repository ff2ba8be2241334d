"""Report imports between Kehu's apps that go upward in the layering, and the cycles they make.

Every non-test, non-migration module under kehu/ is parsed with `ast`; an import of
`kehu.<app>` counts wherever it stands (module level, inside a function, under
`TYPE_CHECKING`), except inside `ready()` of an app's apps.py, where a higher app registers
itself with a lower one's extension point. Run it from the checkout:
`python scripts/import_layers.py` (exit status 1 when an import goes up, or when a function
imports another app: the way round a cycle this layering makes unnecessary).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kehu"

# Lowest first; units on one line are peers and may import each other (their cycles are still
# reported). The kernel is core and the audit trail together: core's models, policy and masking
# first, the audit trail next, then core's services that record audit events ("core:audited",
# AUDITED_MODULES). The kernel's own pages, record types and administration services stand on
# the record machinery like any app's: they form the unit "<app>:admin" (ADMIN_MODULES).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("infra",),
    ("core",),
    ("audit",),
    ("core:audited",),
    ("generic",),
    ("api", "accounts", "core:admin", "audit:admin"),
    ("workflow", "ops"),
    ("customers",),
    ("documents",),
    ("filing", "archives", "privacy", "credit", "reviews", "interactions", "selfservice"),
    ("contracts",),
    ("backups",),
)
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
APPS = {unit for unit in RANK if ":" not in unit}
# Modules of a kernel app (relative to the app, a package counting for all it holds) that
# present or administer it through the record machinery and the API.
ADMIN_MODULES = {
    "core": (
        "services",
        "views",
        "urls",
        "forms",
        "filters",
        "serializers",
        "record_types",
        "calendar_record_types",
        "calendar_changes",
        "context_processors",
        "demo",
        "management",
    ),
    "audit": ("views", "api", "filters", "urls", "management"),
}
# Core's kernel services that record audit events.
AUDITED_MODULES = ("grants", "users", "limits", "keyrotation")


@dataclass(frozen=True, order=True)
class Edge:
    """One import of unit `target` by a module of unit `source`."""

    source: str
    target: str
    module: str
    line: int
    in_function: bool

    @property
    def upward(self) -> bool:
        return RANK[self.target] > RANK[self.source]

    def __str__(self) -> str:
        where = "function" if self.in_function else "module"
        return f"{self.source} → {self.target}  {self.module}:{self.line} ({where} level)"


def app_modules() -> Iterator[Path]:
    """Every production module of an app: no tests, no migrations, no conftest."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) < 2 or parts[0] not in APPS:
            continue
        if "tests" in parts or "migrations" in parts:
            continue
        if path.name.startswith("test_") or path.name == "conftest.py":
            continue
        yield path


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def unit_of(name: str) -> str | None:
    """The layering unit of module (or imported name) `name`: its app, or "<app>:admin"."""
    parts = name.split(".")
    if len(parts) < 2 or parts[0] != "kehu" or parts[1] not in APPS:
        return None
    app = parts[1]
    if len(parts) > 2 and parts[2] in ADMIN_MODULES.get(app, ()):
        return f"{app}:admin"
    if app == "core" and len(parts) > 2 and parts[2] in AUDITED_MODULES:
        return "core:audited"
    return app


def _imported_names(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """The dotted names an import reaches: `from kehu.core import services` reaches
    kehu.core.services, which may be a module of another unit than kehu.core."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        parts = package.split(".")
        prefix = ".".join(parts[: len(parts) - node.level + 1])
        module = f"{prefix}.{node.module}" if node.module else prefix
    else:
        module = node.module or ""
    return [f"{module}.{alias.name}" for alias in node.names]


class _Collector(ast.NodeVisitor):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.module = _module_name(path)
        self.package = self.module if path.name == "__init__.py" else self.module.rpartition(".")[0]
        self.source = unit_of(self.module) or ""
        self.function_depth = 0
        self.in_ready = False
        self.edges: list[Edge] = []

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        is_ready = self.path.name == "apps.py" and node.name == "ready"
        previous = self.in_ready
        self.in_ready = self.in_ready or is_ready
        self.function_depth += 1
        self.generic_visit(node)
        self.function_depth -= 1
        self.in_ready = previous

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def _visit_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if self.in_ready:
            return
        for name in _imported_names(node, self.package):
            self._add(unit_of(name), node.lineno)

    def _add(self, target: str | None, line: int) -> None:
        if target and target != self.source:
            edge = Edge(self.source, target, self.module, line, self.function_depth > 0)
            if edge not in self.edges:
                self.edges.append(edge)

    visit_Import = _visit_import
    visit_ImportFrom = _visit_import

    def visit_Call(self, node: ast.Call) -> None:
        """`import_module("kehu.<app>…")` is an import too."""
        callee = node.func
        name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
        first = node.args[0] if node.args else None
        if (
            name == "import_module"
            and not self.in_ready
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
        ):
            self._add(unit_of(first.value), node.lineno)
        self.generic_visit(node)


def collect_edges() -> list[Edge]:
    """Every import of one app by another in the production modules."""
    edges: list[Edge] = []
    for path in app_modules():
        collector = _Collector(path)
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        edges.extend(collector.edges)
    return sorted(set(edges))


def upward_edges(edges: list[Edge]) -> list[Edge]:
    return [edge for edge in edges if edge.upward]


def local_imports_of_other_apps(edges: list[Edge]) -> list[Edge]:
    """Imports of another app inside a function: the usual way round an import cycle, and
    never needed when the layering holds."""
    return [
        edge
        for edge in edges
        if edge.in_function and edge.source.split(":")[0] != edge.target.split(":")[0]
    ]


def app_cycles(edges: list[Edge]) -> list[list[str]]:
    """The strongly connected groups of two or more units in the import graph (Tarjan)."""
    graph: dict[str, set[str]] = {app: set() for app in RANK}
    for edge in edges:
        graph[edge.source].add(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        on_stack.add(app)
        for target in sorted(graph[app]):
            if target not in index:
                connect(target)
                low[app] = min(low[app], low[target])
            elif target in on_stack:
                low[app] = min(low[app], index[target])
        if low[app] == index[app]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == app:
                    break
            if len(group) > 1:
                groups.append(sorted(group, key=lambda name: (RANK[name], name)))

    for app in sorted(graph):
        if app not in index:
            connect(app)
    return sorted(groups)


def main() -> int:
    edges = collect_edges()
    upward = upward_edges(edges)
    for edge in upward:
        print(edge)
    pairs = sorted({(edge.source, edge.target) for edge in upward})
    print(f"\n{len(upward)} upward imports between {len(pairs)} pairs of apps")
    for source, target in pairs:
        count = sum(1 for edge in upward if (edge.source, edge.target) == (source, target))
        print(f"  {source} → {target}: {count}")
    local = local_imports_of_other_apps(edges)
    for edge in local:
        print(f"inside a function: {edge}")
    cycles = app_cycles(edges)
    for group in cycles:
        print("cycle: " + " ↔ ".join(group))
    return 1 if upward or local else 0


if __name__ == "__main__":
    sys.exit(main())
