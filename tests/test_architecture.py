"""The layers of docs/architecture.md, checked: no import cycle in src/puhui, and no import that
points up or sideways.

Every module's imports are read with ``ast`` (function-level and ``TYPE_CHECKING`` imports
included, and ``__import__``/``importlib.import_module`` with a constant name), so a lazy import
cannot hide a dependency. A failure lists each offending import as ``file:line``.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"

#: docs/architecture.md, "Layers": the top-level packages of each layer, lowest first. A module
#: imports only from its own package or from a lower layer. Three layers are each one unit whose
#: parts may use one another (:data:`ONE_UNIT`): the foundation's small leaf modules (errors and
#: i18n are used by all of them), the façade (``puhui`` exposes ``puhui.api`` lazily, the demo
#: uses it) and the command line (``python -m puhui`` runs ``puhui.cli``).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "puhui.i18n",
            "puhui.errors",
            "puhui.config",
            "puhui.artifacts",
            "puhui._version",
            "puhui.schemas",
            "puhui.lang",
            "puhui.content",
            "puhui.progress",
            "puhui.yamlmarks",
        ),
    ),
    ("engines", ("puhui.models", "puhui.corpus", "puhui.certify")),
    ("evals", ("puhui.evals",)),
    (
        "assess",
        ("puhui.assess", "puhui.learn", "puhui.programmes", "puhui.rating", "puhui.sharing"),
    ),
    ("hub", ("puhui.hub",)),
    ("facade", ("puhui", "puhui.api", "puhui.demo")),
    ("cli", ("puhui.cli", "puhui.__main__")),
)
ONE_UNIT = {"foundation", "facade", "cli"}
#: What every module may import from a higher layer (nothing: the version lives in puhui._version).
EVERYWHERE: set[tuple[str, str]] = set()


def layer_of(module: str) -> tuple[int, str] | None:
    """(layer number, top-level package) of a module, or None when no layer names it."""
    best: tuple[int, str] | None = None
    for number, (_name, packages) in enumerate(LAYERS):
        for pkg in packages:
            if (module == pkg or module.startswith(pkg + ".")) and (
                best is None or len(pkg) > len(best[1])
            ):
                best = (number, pkg)
    return best


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (a module of src/puhui)
    where: str  # file:line
    names: tuple[str, ...] = ()


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / "puhui").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> list[Import]:
    """Every import of a puhui module in ``path``, resolved to a module in ``known``."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    where = f"{path.relative_to(REPO)}"
    found: list[Import] = []

    def add(target: str, line: int, names: tuple[str, ...] = ()) -> None:
        while target and target not in known:  # puhui.x.y.Class -> puhui.x.y
            target = target.rpartition(".")[0]
        if target and target != name:
            found.append(Import(name, target, f"{where}:{line}", names))

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "puhui":
                    add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "puhui":
                continue
            names = tuple(a.name for a in node.names)
            submodules = [f"{module}.{n}" for n in names if f"{module}.{n}" in known]
            for sub in submodules:
                add(sub, node.lineno)
            if len(submodules) < len(names):
                add(module, node.lineno, tuple(n for n in names if f"{module}.{n}" not in known))
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            arg = node.args[0] if node.args else None
            if (
                called in ("__import__", "import_module")
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and arg.value.split(".")[0] == "puhui"
            ):
                add(arg.value, node.lineno)
    return found


def all_imports() -> list[Import]:
    """Every import between puhui modules (EVERYWHERE lists allowed exceptions; none today)."""
    known = modules()
    return [
        imp
        for name, path in known.items()
        for imp in imports_of(name, path, known)
        if not (imp.names and all((imp.target, n) in EVERYWHERE for n in imp.names))
    ]


def cycles(edges: list[Import]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.source, set()).add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def violations(edges: list[Import]) -> list[str]:
    """Imports that point up or sideways, and modules no layer names."""
    bad = []
    for e in edges:
        src, dst = layer_of(e.source), layer_of(e.target)
        if src is None or dst is None:
            missing = e.source if src is None else e.target
            bad.append(f"{e.where}: {missing} is in no layer (add it to docs/architecture.md)")
            continue
        (s_layer, s_pkg), (d_layer, d_pkg) = src, dst
        if s_pkg == d_pkg or d_layer < s_layer:
            continue
        if d_layer == s_layer and LAYERS[s_layer][0] in ONE_UNIT:
            continue
        way = "up" if d_layer > s_layer else "sideways"
        bad.append(
            f"{e.where}: {e.source} ({LAYERS[s_layer][0]}) imports {e.target} "
            f"({LAYERS[d_layer][0]}): {way}"
        )
    return sorted(set(bad))


def test_the_walker_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "puhui" / "evals"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text(
        "from . import b\n"
        "def f():\n"
        "    from puhui.cli.x import main\n"
        "    return __import__('puhui.assess')\n"
    )
    known = {
        "puhui.evals": pkg / "__init__.py",
        "puhui.evals.a": pkg / "a.py",
        "puhui.evals.b": pkg / "b.py",
        "puhui.cli.x": pkg / "x.py",
        "puhui.assess": pkg / "y.py",
    }
    global REPO
    saved, REPO = REPO, tmp_path
    try:
        found = imports_of("puhui.evals.a", pkg / "a.py", known)
    finally:
        REPO = saved
    assert [(i.target, i.where) for i in found] == [
        ("puhui.evals.b", "puhui/evals/a.py:1"),
        ("puhui.cli.x", "puhui/evals/a.py:3"),
        ("puhui.assess", "puhui/evals/a.py:4"),
    ]
    assert violations(found) == [
        "puhui/evals/a.py:3: puhui.evals.a (evals) imports puhui.cli.x (cli): up",
        "puhui/evals/a.py:4: puhui.evals.a (evals) imports puhui.assess (assess): up",
    ]
    assert cycles([Import("a", "b", ""), Import("b", "a", ""), Import("b", "c", "")]) == [
        ["a", "b"]
    ]


def test_no_import_cycle_in_src() -> None:
    edges = all_imports()
    assert len(edges) > 100  # the walker sees the sources at all
    found = cycles(edges)
    lines = []
    for comp in found:
        inside = [e for e in edges if e.source in comp and e.target in comp]
        lines.append(" <-> ".join(comp))
        lines += [f"    {e.where}: {e.source} -> {e.target}" for e in inside]
    assert not found, "import cycles:\n" + "\n".join(lines)


def test_imports_point_only_down_the_layers() -> None:
    bad = violations(all_imports())
    assert not bad, f"{len(bad)} imports against docs/architecture.md:\n" + "\n".join(bad)


def test_architecture_doc_names_every_layer() -> None:
    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    for _name, packages in LAYERS:
        for pkg in packages:
            assert f"`{pkg}`" in doc, f"docs/architecture.md does not name `{pkg}`"


def test_django_lives_only_in_the_hub() -> None:
    """The web framework is the hub's business: no engine, façade or CLI module imports
    ``django`` or ``ninja`` itself (they call functions of :mod:`puhui.hub` instead)."""
    bad = []
    for name, path in modules().items():
        if name == "puhui.hub" or name.startswith("puhui.hub."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                mods = [node.module or ""]
            else:
                continue
            bad += [
                f"{path.relative_to(REPO)}:{node.lineno}: {m}"
                for m in mods
                if m.split(".")[0] in ("django", "ninja")
            ]
    assert not bad, "Django imported outside puhui.hub:\n" + "\n".join(bad)
