"""Figures of the one-pixel page: accuracy heatmaps with hover panels, mean-difference grids."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dsviz.studies.onepixel import OnePixelResult
from ui.hover_images import HoverPanel, panel_key

CHANCE = 0.5
ACCURACY_SCALE = "Viridis"


def held_out_name(res: OnePixelResult) -> str:
    """What ``val_accuracy`` measures: test-split accuracy (published protocol) or validation accuracy (heldout)."""
    return "test accuracy" if res.feature == "l2" else "validation accuracy"


def accuracy_heatmaps(results: dict[str, OnePixelResult], height: int = 600) -> go.Figure:
    """One lower-triangular heatmap of held-out accuracy per dataset, side by side.

    Cell (row i, column j < i) is the pair (i, j); the colour scale runs from 0.5 (chance)
    to 1 and is shared by all datasets so they compare at a glance.
    """
    titles = list(results)
    fig = make_subplots(rows=1, cols=len(results), subplot_titles=titles, horizontal_spacing=0.16)
    for c, res in enumerate(results.values(), start=1):
        k = len(res.classes)
        z = res.val_accuracy.copy()
        z[np.triu_indices(k)] = np.nan
        text = np.where(np.isnan(z), "", np.char.mod("%.2f", np.nan_to_num(z)))
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=list(res.classes),
                y=list(res.classes),
                text=text,
                texttemplate="%{text}",
                textfont={"size": 8},
                coloraxis="coloraxis",
                hovertemplate=f"%{{y}} vs %{{x}}<br>{held_out_name(res)} %{{z:.3f}}<extra></extra>",
                xgap=1,
                ygap=1,
            ),
            row=1,
            col=c,
        )
        fig.update_yaxes(autorange="reversed", type="category", automargin=True, row=1, col=c)
        fig.update_xaxes(type="category", tickangle=-45, automargin=True, row=1, col=c)
    fig.update_layout(
        height=height,
        margin={"l": 90, "r": 10, "t": 40, "b": 90},
        coloraxis={
            "colorscale": ACCURACY_SCALE,
            "cmin": CHANCE,
            "cmax": 1.0,
            "colorbar": {"title": {"text": "accuracy"}, "len": 0.9},
        },
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig


def _gray(image: np.ndarray) -> np.ndarray:
    """Gray levels 0..255 (float, NaN allowed) to uint8."""
    return np.rint(np.nan_to_num(image)).clip(0, 255).astype(np.uint8)


def accuracy_panels(results: dict[str, OnePixelResult]) -> tuple[np.ndarray, dict[str, HoverPanel]]:
    """Sprite images (every dataset's class means) and the hover panel of every heatmap cell."""
    images, panels, offset = [], {}, 0
    for curve, (name, res) in enumerate(results.items()):
        images.append(_gray(res.class_means))
        for i, j in res.pairs():
            lo, hi = max(i, j), min(i, j)  # heatmap cell (row lo, column hi) in the lower triangle
            row, col = (int(v) for v in res.pixel[i, j])
            w, threshold = res.weight[hi, lo], res.threshold[i, j]
            brighter = res.classes[lo] if w > 0 else res.classes[hi]
            if not np.isfinite(threshold):
                rule = "constant prediction (flat pixel)"
            elif res.feature == "l2":
                rule = f"threshold {threshold:.4f} of pixel / ‖image‖: {brighter} above"
            else:
                rule = f"threshold {threshold:.1f} / 255: {brighter} when pixel > {threshold:.0f} of 255"
            panels[panel_key(curve, (lo, hi))] = HoverPanel(
                title=f"{name}: {res.classes[lo]} vs {res.classes[hi]}",
                images=(
                    (offset + lo, row, col, f"mean {res.classes[lo]}"),
                    (offset + hi, row, col, f"mean {res.classes[hi]}"),
                ),
                lines=(
                    f"pixel (row {row}, col {col})",
                    rule,
                    f"{held_out_name(res)} {res.val_accuracy[i, j]:.3f}",
                    f"in-sample accuracy {res.train_accuracy[i, j]:.3f}",
                ),
            )
        offset += len(res.classes)
    return np.concatenate(images), panels


def mosaic(tiles: np.ndarray, gap: int = 2) -> np.ndarray:
    """R x C x H x W tiles into one (R H + (R-1) gap) x (C W + (C-1) gap) array, NaN in the gaps."""
    rows, cols, h, w = tiles.shape
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan)
    for r in range(rows):
        for c in range(cols):
            out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = tiles[r, c]
    return out


def mosaic_figure(
    tiles: np.ndarray,
    row_labels: list[str],
    col_labels: list[str],
    *,
    colorscale: str,
    zmin: float,
    zmax: float,
    zmid: float | None = None,
    colorbar_title: str = "",
    height: int = 560,
    gap: int = 2,
) -> go.Figure:
    """R x C grid of small images as one heatmap (image rows top-down), labelled by row and column."""
    rows, cols, h, w = tiles.shape
    z = mosaic(tiles, gap)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            zmid=zmid,
            colorbar={"title": {"text": colorbar_title}, "len": 0.9},
            hovertemplate="%{z:.3f}<extra></extra>",
            hoverongaps=False,
        )
    )
    fig.update_xaxes(
        tickvals=[c * (w + gap) + w / 2 for c in range(cols)],
        ticktext=col_labels,
        showgrid=False,
        zeroline=False,
        side="top",
        tickangle=-45,
    )
    fig.update_yaxes(
        tickvals=[r * (h + gap) + h / 2 for r in range(rows)],
        ticktext=row_labels,
        showgrid=False,
        zeroline=False,
        autorange="reversed",
        scaleanchor="x",
        scaleratio=1,
    )
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, plot_bgcolor="rgba(0,0,0,0)")
    return fig


def mean_difference_figure(res: OnePixelResult, height: int = 560) -> go.Figure:
    """Small multiples of mean(row class) - mean(column class) on the [0, 1] scale (diverging), present classes."""
    present = [c for c in range(len(res.classes)) if np.isfinite(res.class_means[c]).all()]
    means = res.class_means[present] / 255.0
    tiles = means[:, None] - means[None, :]
    tiles[np.arange(len(present)), np.arange(len(present))] = np.nan
    limit = float(np.nanmax(np.abs(tiles))) if np.isfinite(tiles).any() else 1.0
    names = [res.classes[c] for c in present]
    return mosaic_figure(
        tiles,
        names,
        names,
        colorscale="RdBu_r",
        zmin=-limit,
        zmax=limit,
        zmid=0.0,
        colorbar_title="row − col",
        height=height,
    )
