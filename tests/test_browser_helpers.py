"""The browser tests' waits: on a state, never on a locator that can match twice."""

from __future__ import annotations

import pytest
from browser_helpers import single_chart

pytestmark = pytest.mark.browser

# A new chart drawn beside the collapsed, faded copy of the old one (what Streamlit shows for about a second after
# a chart's config changes); the old copy goes after 400 ms.
RERUN = """
<div class="st-key-c">
  <div class="js-plotly-plot" id="new" style="width:200px;height:100px">
    <div class="modebar-btn" data-title="Download plot"></div></div>
  <div class="js-plotly-plot" id="old" style="width:0;height:0;opacity:0.33">
    <div class="modebar-btn" data-title="Download plot as a PNG"></div></div>
</div>
<script>setTimeout(() => document.getElementById('old').remove(), 400)</script>
"""


def test_single_chart_waits_until_the_old_drawing_is_gone(page):
    page.set_content(RERUN)
    assert page.locator(".st-key-c .js-plotly-plot").count() == 2
    chart = single_chart(page, ".st-key-c .js-plotly-plot", "Download plot", timeout_ms=5_000)
    assert chart.get_attribute("id") == "new"  # strict: exactly one left


def test_single_chart_waits_for_the_chosen_format(page):
    page.set_content(RERUN)
    with pytest.raises(Exception, match="Timeout"):  # the remaining chart saves SVG, not PNG
        single_chart(page, ".st-key-c .js-plotly-plot", "Download plot as a PNG", timeout_ms=1_500)
