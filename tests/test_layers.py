"""The apps depend one way, down the stack:

    portal (foundation) < sla < contracts < tickets < billing < home, demo, integrations (the top)

A module may import its own app and the apps below it, never one above it, nor the
other app of its level (home, demo and integrations know nothing of each other). The imports are read
from the source (ast), lazy ones inside functions included: a lazy import up the stack
is still a dependency up the stack. An app above that needs to be called by one below
connects to an extension point the lower one owns (a signal such as
`sla.signals.calendar_changed`, or a registry such as `contracts.panels`).

The project's wiring is the one exception: settings, the root URLs and the Celery
schedule name every app (by string, mostly), so they may import any of them.

Module-level imports must not go round in a circle either (an import cycle works or
breaks depending on which module is imported first); a cycle broken by a lazy import
inside a function is tolerated.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"portal": 0, "sla": 1, "contracts": 2, "tickets": 3, "billing": 4, "home": 5, "demo": 5,
          "integrations": 5}
WIRING = {"portal/settings.py", "portal/urls.py", "portal/celery.py", "portal/api/urls.py"}


def _sources(app: str) -> list[Path]:
    return sorted((ROOT / app).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST, *, eager_only: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """Every import statement of the module, with whether it runs when the module is
    imported (False inside a function, or under `if TYPE_CHECKING:`)."""

    def visit(node: ast.AST, lazy: bool) -> Iterator[tuple[ast.stmt, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                yield from visit(child, True)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                yield from visit(child, True)
            elif isinstance(child, ast.Import | ast.ImportFrom):
                if not (eager_only and lazy):
                    yield child, not lazy
            else:
                yield from visit(child, lazy)

    return visit(tree, False)


def _imported_names(node: ast.stmt, module: str, is_package: bool) -> list[str]:
    """The dotted names an import statement loads (`from a import b` loads `a.b` when it
    is a module, else `a`)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert isinstance(node, ast.ImportFrom)
    base = node.module or ""
    if node.level:  # relative: resolved against the importing module's package
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def upward_imports(source: str, *, path: str) -> list[str]:
    """The imports of one module (`path` relative to the project) that point up the
    stack, or sideways to the other app of the same level, as `line: module`."""
    app = path.split("/")[0]
    module = _module_name(ROOT / path)
    found = []
    for node, _eager in _imports(ast.parse(source)):
        # The module named by the statement: the app is its first part.
        names = _imported_names(node, module, path.endswith("__init__.py"))
        for name in names if isinstance(node, ast.Import) else names[-1:]:
            top = name.split(".")[0]
            if top in LAYERS and top != app and LAYERS[top] >= LAYERS[app]:
                found.append(f"{node.lineno}: {name}")
    return found


@pytest.mark.parametrize("app", sorted(LAYERS))
def test_it_keeps_every_import_down_the_stack(app):
    violations = {
        str(path.relative_to(ROOT)): found
        for path in _sources(app)
        if str(path.relative_to(ROOT)) not in WIRING
        and (found := upward_imports(path.read_text(), path=str(path.relative_to(ROOT))))
    }
    assert violations == {}


def test_it_reports_an_import_up_the_stack():
    source = "from sla import clock\n\ndef f():\n    from tickets.tasks import t\n"
    assert upward_imports(source, path="contracts/example.py") == ["4: tickets.tasks"]


def test_it_reports_an_import_between_the_two_top_apps():
    assert upward_imports("import demo.seed\n", path="home/views.py") == ["1: demo.seed"]


def test_it_places_every_app_of_the_project_in_the_stack(settings):
    local = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()}
    assert local == set(LAYERS)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports when it is imported itself."""
    paths = {_module_name(p): p for app in LAYERS for p in _sources(app)}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        for node, _eager in _imports(ast.parse(path.read_text()), eager_only=True):
            for imported in _imported_names(node, name, path.name == "__init__.py"):
                parts = imported.split(".")
                # Importing a.b.c runs a, then a.b, then a.b.c.
                graph[name] |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & paths.keys()
        graph[name].discard(name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_it_has_no_import_cycle_at_module_level():
    assert _cycles(_import_graph()) == []


def test_it_finds_an_import_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
