"""The house's layout holds: no import circles in webapp/, other areas reached through their
services, and passkeys built on auth, never the other way round.

The imports are read from the source with `ast`, wherever they stand in a module (inside a
function or under `if TYPE_CHECKING:` too), so moving an import into a function does not
hide a circle. An import of a package counts as an import of its `__init__.py`, and so does
every module inside it: Python runs a package's `__init__.py` before any module of it (an
area's package holds only its docstring, so this costs nothing). The one exception is the
root package `webapp`: its app factory imports every area when it is called, not when a
module is imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"

# The demo loader (`flask demo load`) makes one whole patient in every area, as someone using
# the app would; it stands beside the app, and no page or service imports it. The patient's
# own copy (webapp/export/record.py) holds one whole patient from every area, read through
# their services: only its types name their models (the FHIR parts that map it reach three
# areas at most each).
MAY_REACH_EVERY_AREA = {"webapp.demo", "webapp.export.record"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(WEBAPP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(WEBAPP.rglob("*.py"))}


def _imported(name: str, path: Path) -> Iterator[str]:
    """The webapp modules that `name` imports, anywhere in it."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + [base]).rstrip(".")
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:  # `from webapp.x import module`
                    yield f"{base}.{alias.name}"
                elif base in MODULES:
                    yield base


def _packages_of(name: str) -> set[str]:
    """The packages Python initialises before the module, the root one left out."""
    parts = name.split(".")
    return {".".join(parts[:end]) for end in range(2, len(parts))}


IMPORTS = {
    name: (set(_imported(name, path)) | _packages_of(name)) - {name}
    for name, path in MODULES.items()
}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other round a circle (Tarjan's strongly
    connected components, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_the_reader_finds_the_imports_it_must_see():
    """The checks below are only as good as the reading: an import inside a function, one
    under TYPE_CHECKING, a module imported from its package and a relative import all count."""
    assert "webapp.access" in IMPORTS["webapp.plan.views"]
    assert "webapp.auth.passkeys.services" in IMPORTS["webapp.care.views"]  # `import services`
    assert "webapp.selfcare.goals.views" in IMPORTS["webapp.selfcare.views"]
    assert "webapp.security" in IMPORTS["webapp"]  # inside register_request_hooks
    assert "webapp.selfcare" in IMPORTS["webapp.selfcare.goals.views"]  # its package, first


def test_a_circle_is_found_wherever_it_closes():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _circles(graph) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_webapp_has_no_import_circle():
    circles = _circles(IMPORTS)
    assert circles == [], "modules that import each other round a circle: " + "; ".join(
        " <-> ".join(group) for group in circles
    )


def _imports_inside_functions(path: Path) -> Iterator[int]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    names = [inner.module or ""] if isinstance(inner, ast.ImportFrom) else []
                    names += [alias.name for alias in inner.names]
                    if inner.level or any(name.startswith("webapp") for name in names):
                        yield inner.lineno


def test_modules_import_each_other_at_the_top():
    """An import of the app's own modules inside a function is the usual way to hide a
    circle; only the app factory (webapp/__init__.py) imports the areas when it is called."""
    hidden = {
        f"{path.relative_to(WEBAPP.parent)}:{line}"
        for name, path in MODULES.items()
        if name != "webapp"
        for line in _imports_inside_functions(path)
    }
    assert hidden == set()


def _areas_whose_models(name: str) -> set[str]:
    return {
        imported.removesuffix(".models")
        for imported in IMPORTS[name]
        if imported.endswith(".models")
    }


def test_no_module_imports_the_models_of_more_than_three_areas():
    """Other areas are reached through their services: a module may use its own tables, the
    people's and one more area's, never more."""
    too_wide = {
        name: sorted(_areas_whose_models(name))
        for name in MODULES
        if name not in MAY_REACH_EVERY_AREA and len(_areas_whose_models(name)) > 3
    }
    assert too_wide == {}


AUTH_BELOW_PASSKEYS = sorted(
    name
    for name in MODULES
    if name.startswith("webapp.auth") and not name.startswith("webapp.auth.passkeys")
)


@pytest.mark.parametrize("name", AUTH_BELOW_PASSKEYS)
def test_passkeys_build_on_auth_never_back(name):
    assert not {m for m in IMPORTS[name] if m.startswith("webapp.auth.passkeys")}
