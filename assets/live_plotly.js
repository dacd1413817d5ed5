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
  if (root.__dsvizFigure === data.figure) return;
  root.__dsvizFigure = data.figure;
  loadPlotly()
    .then((Plotly) => {
      if (root.__dsvizFigure !== data.figure) return null; // a newer figure came while plotly.js loaded
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
