"""One way to do each thing: guards that fail when a second way comes back.

Each test reads the source (like tests/test_layers.py) rather than running it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = sorted(p for folder in ("dsviz", "ui", "pages") for p in (ROOT / folder).rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_progress_has_one_type():
    """``progress(done, total, what)`` is ``dsviz.runtime.progress.Progress``; no module declares its own alias."""
    alias = re.compile(r"^\w+\s*=\s*Callable\[\[int,\s*int,\s*str\],\s*None\]", re.M)
    found = [_rel(p) for p in CODE if alias.search(p.read_text())]
    assert found == ["dsviz/runtime/progress.py"]


def test_results_are_cached_by_the_one_codec():
    """No hand-written ``to_arrays``/``from_arrays`` pair: results go through ``dsviz.runtime.codec``."""
    found = []
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name in {"to_arrays", "from_arrays"}:
                found.append(f"{_rel(path)}:{node.lineno} {node.name}")
    assert found == []


def _method_names() -> set[str]:
    from dsviz import methods

    return set(methods.names())


def test_no_page_or_study_lists_method_names():
    """A method's family, coupling and value format live on its registry entry: pages, ui and studies
    neither collect method names (``OTDD_METHODS = ("otdd-exact", ...)``, a format per name) nor branch
    on one (``if method == "sotdd"``)."""
    names = _method_names()
    found = []
    for path in CODE:
        if _rel(path).startswith("dsviz/") and not _rel(path).startswith("dsviz/studies/"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                items = node.elts
            elif isinstance(node, ast.Dict):
                items = [k for k in node.keys if k is not None]
            elif isinstance(node, ast.Compare):
                items = [node.left, *node.comparators]
                if not any(isinstance(i, ast.Constant) and i.value in names for i in items):
                    continue
                found.append(f"{_rel(path)}:{node.lineno} compares with a method name")
                continue
            else:
                continue
            listed = [i.value for i in items if isinstance(i, ast.Constant) and i.value in names]
            if len(listed) >= 2:
                found.append(f"{_rel(path)}:{node.lineno} lists {listed}")
    assert found == []


def test_registry_entries_say_family_coupling_and_format():
    from dsviz import methods
    from dsviz.otdd.result import OTDDResult
    from dsviz.studies.pairs import PairSettings

    for m in methods.METHODS.values():
        assert m.family and format(1234.5678, m.value_format)
        assert m.coupling == (m.detail is OTDDResult)
        settings = PairSettings(method=m.name)
        assert settings.is_otdd == (m.family == "otdd")
        assert methods.get(settings.view_settings().method).coupling
        assert settings.view_settings() == settings if m.coupling else settings.view_settings().method != m.name
        summary = m.summary()
        assert (summary["family"], summary["coupling"]) == (m.family, m.coupling)
    otdd = [m.name for m in methods.METHODS.values() if m.family == "otdd"]
    assert otdd == ["otdd-exact", "otdd-gaussian"]
