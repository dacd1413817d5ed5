"""Widgets whose value lives in the page URL, so a pasted link reopens the same view.

Each widget is declared once as a spec (URL name, label, range, default) and
rendered with Streamlit's ``bind="query-params"`` binding (in the installed Streamlit 1.67):

* on page load the widget starts from ``?<key>=<value>`` when that value parses
  and lies in ``[min_value, max_value]``; anything else (garbage, NaN, out of
  range, wrong type) silently falls back to the default and is dropped from the URL;
* every change is written back to the URL by the browser, without a round trip,
  and a value equal to the default is removed to keep links short.

The spec's ``key`` doubles as the session-state key, so tests and other code can
address the widget (``at.slider(key=...)``, CSS class ``st-key-<key>``).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

Number = int | float


@dataclass(frozen=True)
class UrlNumber:
    """A numeric widget bound to the URL query parameter ``key``.

    ``default``, ``min_value``, ``max_value`` and ``step`` must share one type
    (all ``int`` or all ``float``); that type is what the widget returns.
    """

    key: str
    label: str
    min_value: Number
    max_value: Number
    default: Number
    step: Number
    help: str | None = None
    format: str | None = None

    def _render(self, widget) -> Number:
        return widget(
            self.label,
            min_value=self.min_value,
            max_value=self.max_value,
            value=self.default,
            step=self.step,
            format=self.format,
            help=self.help,
            key=self.key,
            bind="query-params",
        )

    def slider(self) -> Number:
        """Render as ``st.slider`` and return its current value."""
        return self._render(st.slider)

    def number_input(self) -> Number:
        """Render as ``st.number_input`` and return its current value."""
        return self._render(st.number_input)


def sample_size(sizes: list[int], default: int, help: str) -> int:
    """The "Samples per dataset" select box, bound to the URL parameter ``n``."""
    return st.selectbox(
        "Samples per dataset", sizes, index=sizes.index(default), key="n", bind="query-params", help=help
    )
