// dsviz live chart: one plotly.js chart that stays mounted across reruns. Each new
// figure is drawn with Plotly.react, which diffs it against the one on screen,
// where st.plotly_chart mounts a new chart whenever its figure changes.
// plotly.js is served by this app (copied from the installed plotly package).

export default function (component) {
  const { data, parentElement } = component;
  let root = parentElement.querySelector(".dsviz-lp-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "dsviz-lp-root";
    parentElement.appendChild(root);
  }
  // drawn again when the figure or its config (e.g. the toolbar's PNG/SVG choice) changes
  const drawn = data.figure + JSON.stringify(data.config || {});
  if (root.__dsvizFigure === drawn) return;
  root.__dsvizFigure = drawn;
  loadPlotly()
    .then((Plotly) => {
      if (root.__dsvizFigure !== drawn) return null; // a newer figure came while plotly.js loaded
      const fig = JSON.parse(data.figure);
      return Plotly.react(root, fig.data, fig.layout, { ...data.config, responsive: true });
    })
    .then((gd) => {
      if (gd) root.dataset.ready = "1";
    })
    .catch((err) => {
      root.textContent = "Could not draw the chart: " + err;
    });
}
