"""The package's floor plan: layers import only downward, no two packages import each other.

runtime → data → engines (otdd, simex, nets, embedding) → methods → studies → figures → commands/cli.
Every import counts, module-level or inside a function. The package face ``dsviz/__init__.py`` is the
one exception: it exports the public API and ``__version__``.
"""

from __future__ import annotations

import ast
from itertools import combinations
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "dsviz"
RANK = {
    "runtime": 0,
    "data": 1,
    "otdd": 2,
    "simex": 2,
    "nets": 2,
    "embedding": 2,
    "methods": 3,
    "studies": 4,
    "figures": 5,
    "commands": 6,
    "cli": 6,
    "__main__": 6,
}
ENGINES = {"runtime", "data", "otdd", "simex", "nets", "embedding"}


def _unit(module: str) -> str | None:
    """The top-level unit under dsviz of a dotted module name (None for the package face)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "dsviz" else None


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Absolute dsviz modules (or module.attribute) imported anywhere in ``path``."""
    tree = ast.parse(path.read_text())
    me = _module_name(path)
    pkg = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("dsviz"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod == "dsviz":
                out.update(f"dsviz.{a.name}" for a in node.names if a.name != "__version__")
            elif mod.startswith("dsviz."):
                out.add(mod)
    return out


def _edges() -> dict[tuple[str, str], list[str]]:
    """(importing unit, imported unit) → the files where it happens."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in PKG.rglob("*.py"):
        src = _unit(_module_name(path))
        if src is None:
            continue  # the package face
        for target in _imports(path):
            dst = _unit(target)
            if dst is not None and dst != src:
                edges.setdefault((src, dst), []).append(str(path.relative_to(ROOT)))
    return edges


def test_every_unit_has_a_layer():
    units = {_unit(_module_name(p)) for p in PKG.rglob("*.py")} - {None}
    assert units <= set(RANK), f"modules outside the floor plan: {sorted(units - set(RANK))}"


def test_layers_import_only_downward():
    upward = {e: files for e, files in _edges().items() if RANK[e[1]] > RANK[e[0]]}
    assert not upward, f"upward imports: {upward}"


def test_engines_never_import_methods_or_studies():
    bad = {
        e: f for e, f in _edges().items() if e[0] in ENGINES and e[1] in {"methods", "studies", "figures", "commands"}
    }
    assert not bad, bad


def test_no_two_packages_import_each_other():
    edges = _edges()
    cycles = [(a, b) for a, b in combinations(RANK, 2) if (a, b) in edges and (b, a) in edges]
    assert not cycles, {c: (edges[c], edges[c[::-1]]) for c in cycles}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from dsviz.methods import get\n", {"dsviz.methods"}),
        ("def f():\n    from dsviz import studies\n", {"dsviz.studies"}),
        ("import dsviz.otdd.sliced\n", {"dsviz.otdd.sliced"}),
    ],
)
def test_the_checker_sees_every_kind_of_import(tmp_path, source, expected, monkeypatch):
    path = PKG / "runtime" / "_probe_for_test.py"
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: source)
    assert _imports(path) == expected
