"""Conventions shared by every page and module: distance colours, no Streamlit in dsviz, the deep-link workaround."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from plotly.colors import sample_colorscale, unlabel_rgb
from streamlit.runtime.pages_manager import PagesManager

from ui.heatmaps import class_heatmap
from ui.pair_plots import matrix_figure
from ui.simex_plots import heatmap

ROOT = Path(__file__).resolve().parents[1]


def _lightness(trace_colors: dict, at: float) -> float:
    """Relative luminance of the colour a trace draws at fraction ``at`` of its value range."""
    scale = trace_colors["colorscale"]
    if trace_colors.get("reversescale"):
        at = 1.0 - at
    (color,) = sample_colorscale([[s, c] for s, c in scale], [at])
    r, g, b = unlabel_rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _colors(fig) -> dict:
    t = fig.data[0]
    holder = t.marker if t.type == "scatter" else t
    return {"colorscale": holder.colorscale, "reversescale": holder.reversescale}


@pytest.mark.parametrize(
    "make",
    [
        lambda v: class_heatmap(v, ["a", "b"], ["c", "d"], "W", "src", "tgt"),
        lambda v: matrix_figure(v, ["a", "b"], "OTDD", None),
        lambda v: heatmap(v, ["a", "b"], ["a", "b"], title="Δ", x_title="", y_title=""),
    ],
)
def test_every_distance_figure_draws_closer_lighter(make):
    c = _colors(make(np.array([[0.0, 1.0], [2.0, 3.0]])))
    assert _lightness(c, 0.0) > _lightness(c, 1.0)


def test_a_similarity_draws_closer_lighter_too():
    """Retraining accuracy and confusion (SimEx page): larger = more similar = lighter."""
    c = _colors(
        heatmap(
            np.array([[0.0, 1.0], [2.0, 3.0]]),
            ["a", "b"],
            ["a", "b"],
            title="acc",
            x_title="",
            y_title="",
            similarity=True,
        )
    )
    assert _lightness(c, 1.0) > _lightness(c, 0.0)


def test_mass_is_darker_the_more_there_is():
    c = _colors(class_heatmap(np.eye(2), ["a", "b"], ["c", "d"], "mass", "src", "tgt", kind="mass"))
    assert _lightness(c, 1.0) < _lightness(c, 0.0)
    with pytest.raises(ValueError, match="kind"):
        class_heatmap(np.eye(2), ["a", "b"], ["c", "d"], "x", "s", "t", kind="other")


def test_no_page_or_ui_module_picks_its_own_distance_colours():
    """Distances go through ui.heatmaps; the only colour scales named elsewhere are non-distance ones."""
    allowed = {"RdBu", "RdBu_r", "gray"}
    for path in [*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]:
        if path.name == "heatmaps.py":
            continue
        for line in path.read_text().splitlines():
            if 'colorscale="' in line:
                name = line.split('colorscale="')[1].split('"')[0]
                assert name in allowed, f"{path.name}: {line.strip()}"


def test_dsviz_never_imports_streamlit():
    code = (
        "import importlib, pkgutil, sys, dsviz\n"
        "for m in pkgutil.walk_packages(dsviz.__path__, 'dsviz.'):\n"
        "    if m.name != 'dsviz.__main__':\n"
        "        importlib.import_module(m.name)\n"
        "print(len(sys.modules)); assert 'streamlit' not in sys.modules, 'streamlit was imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_deep_link_workaround_still_matches_streamlit(tmp_path):
    """ui/navigation.py flips Streamlit's private ``PagesManager.uses_pages_directory`` (no supported way
    to leave the legacy ``pages/`` mode exists in Streamlit 1.67). This fails loudly if an upgrade changes
    the contract it relies on: the class flag exists, a ``pages/`` folder beside the main script sets it,
    and ``st.navigation`` clears it."""
    assert "uses_pages_directory" in vars(PagesManager), "Streamlit renamed PagesManager.uses_pages_directory"
    (tmp_path / "pages").mkdir()
    (tmp_path / "app.py").write_text("")
    saved = PagesManager.uses_pages_directory
    try:
        PagesManager.uses_pages_directory = None
        PagesManager(str(tmp_path / "app.py"))
        assert PagesManager.uses_pages_directory is True
    finally:
        PagesManager.uses_pages_directory = saved
    import streamlit.commands.navigation as nav

    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(nav.navigation)


ISSUE_CITATION = re.compile(r"\bissues?\s*#?\s*\d", re.IGNORECASE)
"""An issue-tracker number cited as a source; code cites the paper and section, or says the reason."""


@pytest.mark.parametrize("package", ["dsviz", "ui", "pages", "bench", "tests"])
def test_no_source_cites_an_issue_number(package):
    hits = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if ISSUE_CITATION.search(line)
    ]
    assert not hits, "cite the paper/section or the reason instead:\n" + "\n".join(hits)


def test_the_issue_citation_check_can_fail():
    word = "issue"  # split so that this file does not cite one itself
    assert ISSUE_CITATION.search(f"guard ({word} 12): a member")
    assert ISSUE_CITATION.search(f"see {word.title()} #7")
    assert not ISSUE_CITATION.search("an issue with 3 members")


ENGINE_DOCS = [
    "dsviz.otdd.engine:compute_otdd",
    "dsviz.otdd.sliced:compute_sotdd",
    "dsviz.studies.onepixel.fit:fit_one_pixel",
    "dsviz.studies.onepixel.fit:fit_one_pixel_published",
    "dsviz.simex.fleet:train_fleet",
    "dsviz.studies.transfer:transfer_study",
    "dsviz.studies.transfer_pairs:transfer_pairs_study",
    "dsviz.studies.augment_otdd:transformed_otdd",
    "dsviz.studies.augment_otdd:otdd_curve",
    "dsviz.studies.transfer_stats:relative_error_drop",
    "dsviz.methods.base:Method",
]


@pytest.mark.parametrize("target", ENGINE_DOCS)
def test_engines_are_documented_like_pots_emd(target):
    """numpydoc Parameters / Returns / References, the formula as ``.. math::``, every parameter documented."""
    import importlib

    module, name = target.split(":")
    obj = getattr(importlib.import_module(module), name)
    doc = inspect.getdoc(obj)
    for section in ("Parameters\n----------", "Returns\n-------", "References\n----------", ".. math::", ".. [1]"):
        assert section in doc, f"{target}: no {section.splitlines()[0]!r}"
    params = doc.split("Parameters\n----------\n")[1].split("\nReturns\n")[0]
    documented = {
        n.strip() for line in params.splitlines() if re.match(r"\w", line) for n in line.split(" : ")[0].split(",")
    }
    signature = inspect.signature(obj)
    assert set(signature.parameters) - {"self"} <= documented, f"{target}: undocumented parameters"
