"""The shape of the code: pure domain modules, and an import graph without cycles."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cadastre"
# What a rule of the cadastre must not need: the web framework, the database and the app.
NOT_IN_DOMAIN = ("flask", "sqlalchemy", "geoalchemy2", "cadastre.db", "cadastre.app")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
DOMAIN = sorted(m for m in MODULES if m.startswith("cadastre.domain."))


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_module_loads_no_framework(module):
    """Importing a domain module (in a fresh interpreter) loads no Flask, SQLAlchemy or app."""
    code = (
        f"import json, sys; import {module}; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        f"('flask', 'sqlalchemy', 'geoalchemy2', 'cadastre'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = json.loads(out)
    wrong = [m for m in loaded if any(m == n or m.startswith(n + ".") for n in NOT_IN_DOMAIN)]
    assert wrong == [], f"{module} loads {wrong}"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(node: ast.AST, module: str, is_package: bool):
    """The modules an import statement names (absolute names, submodules included)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:  # relative: resolved against this module's package
        base = module.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    # `from a import b` names the submodule a.b when there is one, otherwise a's attribute
    # (and a package's own code is not a dependency of its submodules: as grimp counts).
    return [
        f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES else target
        for alias in node.names
    ]


def _imports(module: str, path: Path) -> set[str]:
    """Every cadastre module this one imports, at module level or inside functions."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    is_package = path.name == "__init__.py"

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:  # the `if TYPE_CHECKING:` body never runs
                visit(child)
            return
        for name in _imported(node, module, is_package):
            if name in MODULES:
                found.add(name)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(module)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module name to the cadastre modules it imports."""
    return {m: _imports(m, p) for m, p in MODULES.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := walk(start)):
            return cycle
    return None


def test_finds_a_cycle_when_there_is_one():
    """The cycle finder itself sees a loop (so an empty answer below means something)."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_import_graph_has_no_cycle():
    """No module imports (even lazily, in a function) one that leads back to it."""
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_nothing_imports_the_app_factory():
    """create_app is the top of the graph: only the entry points import cadastre.app."""
    entry_points = {"cadastre.cli"}
    importers = {m for m, deps in import_graph().items() if "cadastre.app" in deps}
    assert importers <= entry_points, importers - entry_points


def test_package_does_not_load_the_app():
    """`import cadastre` is just the package: no Flask, no database."""
    code = "import json, sys, cadastre; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert not {"flask", "sqlalchemy", "cadastre.app", "cadastre.db"} & set(json.loads(out))


# The dependency rule (ARCHITECTURE.md): a layer imports only layers below it. Surfaces (the
# web, the API, the map servers, the CLI) are on top and may use anything beneath them.
SURFACES = (
    "cadastre.api",
    "cadastre.officer",
    "cadastre.admin",
    "cadastre.ogc",
    "cadastre.tiles",
    "cadastre.exports",
    "cadastre.border",
    "cadastre.importer.web",
    "cadastre.training.web",
    "cadastre.training.cli",
    "cadastre.cli",
    "cadastre.app",
    "cadastre.blueprints",
    "cadastre.workspaces",
    "cadastre.webauth",
    "cadastre.auth",
    "cadastre.state",
    "cadastre.hardening",
    "cadastre.input_guard",
    "cadastre.http_errors",
    "cadastre.downloads",
    "cadastre.health",
    "cadastre.forms",
)
BELOW_SURFACES = ("cadastre.models", "cadastre.queries", "cadastre.services", "cadastre.importer")
FRAMEWORK = ("flask", "flask_login", "flask_wtf", "werkzeug", "wtforms")


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_domain_imports_only_domain_errors_and_profile():
    """Rules read like the law: a domain module needs nothing but other rules and the profile."""
    allowed = ("cadastre.domain", "cadastre.errors", "cadastre.profile")
    wrong = {
        m: sorted(d for d in deps if not _under(d, allowed))
        for m, deps in import_graph().items()
        if m.startswith("cadastre.domain.")
    }
    assert {m: d for m, d in wrong.items() if d} == {}


def surface_breaches(graph: dict[str, set[str]], source) -> dict[str, list[str]]:
    """Modules below the surfaces that import a surface or the web framework."""
    wrong = {}
    for module, deps in graph.items():
        if not _under(module, BELOW_SURFACES) or _under(module, SURFACES):
            continue
        bad = sorted(d for d in deps if _under(d, SURFACES))
        text = source(module)
        bad += [f for f in FRAMEWORK if f"import {f}" in text or f"from {f}" in text]
        if bad:
            wrong[module] = bad
    return wrong


def test_units_of_work_import_no_surface():
    """Models, queries, services and the importer's engine take a session, never a request."""
    assert surface_breaches(import_graph(), lambda m: MODULES[m].read_text()) == {}


def test_the_layer_check_sees_a_breach():
    """A service reaching for the web is caught, by import of a surface or of Flask itself."""
    graph = {
        "cadastre.services.fees": {"cadastre.officer.common"},
        "cadastre.services.notices": set(),
        "cadastre.importer.web": {"cadastre.officer.common"},
    }
    texts = {"cadastre.services.notices": "from flask import g\n"}
    found = surface_breaches(graph, lambda m: texts.get(m, ""))
    assert found == {
        "cadastre.services.fees": ["cadastre.officer.common"],
        "cadastre.services.notices": ["flask"],
    }
