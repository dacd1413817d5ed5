"""Client-side figures: payloads the browser redraws without a server, and one-file HTML export.

Each interactive figure is one JavaScript component (``dsviz/figures/js/<component>.js``)
fed a JSON payload built here from the same studies and methods as the pages and the CLI.
The app mounts the component in the page (``ui/figure_component.py``); :func:`figure_html`
inlines it with plotly.js and the payload into one self-contained HTML file.
"""

from __future__ import annotations

from dsviz.figures.document import COMPONENTS, component_script, figure_html

__all__ = ["COMPONENTS", "component_script", "figure_html"]
