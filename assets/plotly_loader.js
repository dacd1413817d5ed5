// Shared by the dsviz components (prepended to each component's module by
// ui/static_assets.component_js): loads plotly.js once per page from this app's
// own static folder (copied from the installed plotly package), never from a CDN.
// fetch + inline <script> runs whatever Content-Type the static server sends.
function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__dsvizPlotly) {
    const url = new URL("app/static/plotly.min.js", document.baseURI).href;
    window.__dsvizPlotly = fetch(url)
      .then((r) => {
        if (!r.ok) throw new Error("plotly.js not served (" + r.status + ")");
        return r.text();
      })
      .then((src) => {
        const s = document.createElement("script");
        s.text = src;
        document.head.appendChild(s);
        return window.Plotly;
      });
  }
  return window.__dsvizPlotly;
}

