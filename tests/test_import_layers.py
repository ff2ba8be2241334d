"""No app imports one above it in the layering of docs/architecture.md (scripts/import_layers.py):
a lower layer reaches a higher one through a signal or an extension point the higher app
registers with in its apps.py `ready()`."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "import_layers.py"

# (importing module, imported unit) → why it is still there.
ALLOWED: dict[tuple[str, str], str] = {}


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_layers", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


layers = _load_script()


def test_no_import_goes_up_the_layers() -> None:
    upward = layers.upward_edges(layers.collect_edges())
    new = [str(edge) for edge in upward if (edge.module, edge.target) not in ALLOWED]
    assert not new, "imports of a higher layer:\n" + "\n".join(new)


def test_no_function_imports_another_app() -> None:
    """A function-local import is how a cycle is hidden; every app imports what it uses at
    the top of the module (apps.py `ready()` excepted)."""
    local = layers.local_imports_of_other_apps(layers.collect_edges())
    assert not local, "imports inside functions:\n" + "\n".join(map(str, local))


def test_every_allowed_upward_import_still_exists() -> None:
    """An entry is removed when its import is: the list only ever shrinks."""
    present = {(edge.module, edge.target) for edge in layers.upward_edges(layers.collect_edges())}
    assert not set(ALLOWED) - present, sorted(set(ALLOWED) - present)


def test_the_checker_sees_an_import_inside_a_function_but_not_in_ready() -> None:
    source = (
        "def f() -> None:\n"
        "    from kehu.privacy import tiers\n"
        "class Config:\n"
        "    def ready(self) -> None:\n"
        "        from kehu.archives import receivers\n"
    )
    for name, expected in (
        ("probe.py", [("documents", "privacy", True), ("documents", "archives", True)]),
        ("apps.py", [("documents", "privacy", True)]),
    ):
        collector = layers._Collector(layers.PACKAGE / "documents" / name)
        collector.visit(ast.parse(source))
        found = [(edge.source, edge.target, edge.in_function) for edge in collector.edges]
        assert found == expected
