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
