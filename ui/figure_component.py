"""Client-side figures in the Streamlit page, and their "Download interactive HTML" button.

:func:`show_figure` mounts the same JavaScript component (``dsviz/figures/js/``) that an
exported file inlines, as a Streamlit (v2) component: plotly.js comes from the app's own
static folder, every control move is redrawn in the browser, and the component reports its
view (control values) back once a burst of moves ends, so the page can keep it in the URL
and in the downloaded file. :func:`download_figure_button` writes
:func:`dsviz.figures.figure_html` for the view on screen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Mapping

import streamlit as st

from dsviz.figures import component_script, figure_html
from dsviz.figures.document import payload_json
from ui.export import chart_format
from ui.presenter import MARKER_SCALE, presenting
from ui.static_assets import ASSETS_DIR, ensure_plotly_js


@st.cache_resource
def _component(component: str):
    ensure_plotly_js()
    js = "\n".join(
        (
            (ASSETS_DIR / "plotly_loader.js").read_text(),
            component_script(component),
            (ASSETS_DIR / "figure_component.js").read_text(),
        )
    )
    return st.components.v2.component(f"dsviz_figure_{component}", js=js, isolate_styles=False)


def _encode(payload: dict) -> tuple[str, str]:
    """(the JSON of ``payload`` without its ``initial`` view, that JSON's SHA-1: the figure's identity)."""
    base = payload_json({k: v for k, v in payload.items() if k != "initial"})
    return base, hashlib.sha1(base.encode()).hexdigest()


@st.cache_resource(show_spinner=False, max_entries=32)
def _shared_encoding(shared: Hashable, _payload: dict) -> tuple[str, str]:
    """:func:`_encode` once per server for each ``shared`` (what the payload, its ``initial`` view aside, is of)."""
    return _encode(_payload)


def _with_initial(base: str, payload: dict) -> str:
    """The JSON object ``base`` with ``payload``'s ``initial`` view (when it has one) as its last member."""
    if "initial" not in payload:
        return base
    member = payload_json({"initial": payload["initial"]})[1:-1]
    return f"{base[:-1]}{',' if base != '{}' else ''}{member}}}"


def show_figure(
    component: str, payload: dict, *, key: str, height: int | None = None, shared: Hashable | None = None
) -> dict | None:
    """Draw ``component`` with ``payload`` in the page; return the view the browser last reported (or None).

    The figure is mounted again only when ``payload`` without its ``initial`` view changes,
    so a rerun that only records the view leaves the figure on screen as it is.
    ``height`` reserves that many pixels (the figure sizes itself otherwise). The figure sits in a
    container with CSS class ``st-key-figure_<key>``; its charts' camera saves the sidebar's format, and
    its markers grow in presenter mode (:data:`ui.presenter.MARKER_SCALE`). ``shared`` names everything in
    ``payload`` but its ``initial`` view (a payload shared by sessions): its JSON is then encoded once per
    server instead of in every session's run (a pair view's 1.8 MB: 9 ms).
    """
    base, identity = _encode(payload) if shared is None else _shared_encoding(shared, payload)
    text = _with_initial(base, payload)
    with st.container(height=height or "content", border=False, key=f"figure_{key}"):
        result = _component(component)(
            data={
                "component": component,
                "payload": text,
                "identity": identity,
                "imageFormat": chart_format(),
                "markerScale": MARKER_SCALE if presenting() else 1.0,
            },
            key=key,
            on_view_change=lambda: None,
        )
    view = getattr(result, "view", None) if result is not None else None
    return dict(view) if isinstance(view, Mapping) else None


def download_figure_button(
    component: str,
    payload: dict,
    *,
    title: str,
    settings: dict,
    provenance: dict,
    file_name: str,
    key: str | None = None,
) -> None:
    """A "Download interactive HTML" button: ``payload`` drawn by ``component`` as one offline HTML file.

    The file is built when the button is clicked (it inlines plotly.js, about 5 MB).
    """

    def build() -> str:
        return figure_html(component, payload, title=title, settings=settings, provenance=provenance)

    st.download_button(
        "Download interactive HTML",
        data=build,
        file_name=file_name,
        mime="text/html",
        key=key,
        help="One self-contained HTML file: this figure with its sliders, its data and plotly.js inlined. "
        "It opens in any browser with no server and no network.",
        on_click="ignore",
    )


def url_view(controls: Mapping[str, Mapping], defaults: Mapping[str, float]) -> dict[str, float]:
    """The figure's control values from the page URL (``?rot_b=30``), each checked against its control.

    A value that does not parse, lies outside ``[min, max]`` or off the ``step`` grid falls back
    to ``defaults``.
    """
    view = {}
    for name, spec in controls.items():
        value = defaults[name]
        raw = st.query_params.get(name)
        if raw is not None:
            try:
                number = float(raw)
            except ValueError:
                number = float("nan")
            steps = (number - spec["min"]) / spec["step"]
            if spec["min"] <= number <= spec["max"] and abs(steps - round(steps)) < 1e-9:
                value = round(spec["min"] + round(steps) * spec["step"], 10)
        view[name] = value
    return view


def keep_in_url(view: Mapping[str, float], defaults: Mapping[str, float]) -> None:
    """Write ``view`` into the page URL, leaving out values equal to their default (short links)."""
    for name, value in view.items():
        if value == defaults[name]:
            st.query_params.pop(name, None)
        else:
            st.query_params[name] = f"{value:g}"


__all__ = ["download_figure_button", "keep_in_url", "show_figure", "url_view"]
