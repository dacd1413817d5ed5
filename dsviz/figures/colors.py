"""Heatmap colour conventions shared by the app's charts (ui/heatmaps.py) and the client-side figures."""

from __future__ import annotations

from plotly.colors import get_colorscale

DISTANCE_COLORS = {"colorscale": "Viridis", "reversescale": True}
"""Lighter = closer: small distances at Viridis' yellow end."""
MASS_COLORS = {"colorscale": "Blues", "reversescale": False}
"""Darker = more mass."""
SIMILARITY_COLORS = {"colorscale": "Viridis", "reversescale": False}
"""Lighter = closer: large similarities at Viridis' yellow end."""


def explicit(colors: dict) -> dict:
    """``colors`` with its named colour scale spelled out as ``[[position, color], ...]``.

    plotly.js knows fewer names than the Python package, and some (``Blues``) run the other way, so a
    figure drawn by plotly.js alone gets the scale the Python charts use, written out.
    """
    return {**colors, "colorscale": get_colorscale(colors["colorscale"])}


__all__ = ["DISTANCE_COLORS", "MASS_COLORS", "SIMILARITY_COLORS", "explicit"]
