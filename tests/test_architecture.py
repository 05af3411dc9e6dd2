"""The tree shows the architecture: layers as subpackages, imports pointing down, no run-time cycle.

The import graph is read from the source (every `import` and `from ... import`, at module level or
inside functions; those under `if TYPE_CHECKING:` are kept apart). The layers, lowest first:

    core < world < submodels < indicators < metrics < model < interventions < scenarios
         < studies < reports < app, cli and the package's public API

An import may stay in its layer or point down, never up; the run-time graph has no cycle; with the
imports made for type checking only, there is at most one cycle.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ampsim"
LAYERS = (
    ("core",),
    ("world",),
    ("submodels",),
    ("indicators",),
    ("metrics",),
    ("model",),
    ("interventions",),
    ("scenarios",),
    ("studies",),
    ("reports",),
    ("app", "cli", "api", "__init__", "__main__"),
)
MAX_LINES = 600


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    type_checking: bool
    at_import: bool = True  # at module level (run when the module is imported), not in a function


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    for index, names in enumerate(LAYERS):
        if top in names:
            return index
    raise AssertionError(f"{module}: not in any layer; add its folder to LAYERS")


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Lines of the statements under `if TYPE_CHECKING:`."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _module_level_lines(tree: ast.Module) -> set[int]:
    """Lines of the imports run when the module is imported (not inside functions or classes)."""
    lines: set[int] = set()
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            lines.add(node.lineno)
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            pending.extend(ast.iter_child_nodes(node))
    return lines


def _resolve(module: str, name: str | None, modules: dict[str, Path]) -> str | None:
    """The ampsim module an import loads: `from a.b import c` is a.b.c when c is a module."""
    if name and f"{module}.{name}" in modules:
        return f"{module}.{name}"
    return module if module in modules else None


def import_edges(modules: dict[str, Path]) -> list[Edge]:
    edges = []
    for source, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = _type_checking_lines(tree)
        eager = _module_level_lines(tree)
        package = source if path.name == "__init__.py" else source.rpartition(".")[0]
        for node in ast.walk(tree):
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [_resolve(alias.name, None, modules) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}".rstrip(".")
                if not base.startswith("ampsim"):
                    continue
                targets = [_resolve(base, alias.name, modules) for alias in node.names]
            for target in dict.fromkeys(targets):
                if target and target != source:
                    edges.append(
                        Edge(source, target, node.lineno, node.lineno in guarded, node.lineno in eager)
                    )
    return edges


def cycles(nodes: list[str], edges: list[Edge]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {node: set() for node in nodes}
    for edge in edges:
        graph[edge.source].add(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
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
            visit(node)
    return found


@pytest.fixture(scope="module")
def graph():
    modules = all_modules()
    return modules, import_edges(modules)


def test_imports_point_down_the_layers(graph):
    modules, edges = graph
    upward = [
        f"{e.source}:{e.line} imports {e.target}{' (TYPE_CHECKING)' if e.type_checking else ''}"
        for e in edges
        if layer_of(e.target) > layer_of(e.source)
    ]
    runtime = [e for e in edges if not e.type_checking]
    print(
        f"\nimport graph: {len(modules)} modules in {len(LAYERS)} layers, {len(edges)} imports "
        f"({len(edges) - len(runtime)} for type checking only), {len(upward)} pointing up"
    )
    assert not upward, "imports that point up a layer:\n" + "\n".join(upward)


def test_no_import_cycle_at_run_time_and_at_most_one_for_type_checking(graph):
    modules, edges = graph
    runtime = cycles(list(modules), [e for e in edges if not e.type_checking])
    typed = cycles(list(modules), edges)
    print(f"\nrun-time import cycles: {len(runtime)}; with type-checking imports: {typed}")
    assert not runtime, f"run-time import cycles: {runtime}"
    assert len(typed) <= 1, f"import cycles with the type-checking imports: {typed}"


def test_mechanisms_never_import_the_model_metrics_or_studies(graph):
    _, edges = graph
    mechanisms = {"core", "world", "submodels"}

    def top(module: str) -> str:
        return [*module.split("."), "__init__"][1]

    wrong = [
        f"{e.source} imports {e.target}"
        for e in edges
        if top(e.source) in mechanisms and top(e.target) not in mechanisms
    ]
    assert not wrong, wrong


def test_the_package_root_imports_nothing_eagerly_but_the_version(graph):
    _, edges = graph
    eager = sorted({e.target for e in edges if e.source == "ampsim" and e.at_import and not e.type_checking})
    assert eager == ["ampsim.core.version"], eager


def test_no_module_is_over_600_lines():
    long = {
        str(path.relative_to(PACKAGE.parent)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_the_checker_sees_an_upward_import_and_a_cycle(tmp_path):
    """The rules above would catch a violation (the checker is not vacuous)."""
    edges = [Edge("ampsim.core.a", "ampsim.model", 1, False), Edge("ampsim.model", "ampsim.core.a", 1, False)]
    assert layer_of("ampsim.model") > layer_of("ampsim.core.a")
    assert cycles(["ampsim.core.a", "ampsim.model"], edges) == [["ampsim.core.a", "ampsim.model"]]
