// dsviz client-side figure in the Streamlit page (ui/figure_component.py). The module starts with
// plotly_loader.js and dsviz/figures/js/common.js + the component's files, the same files an
// exported HTML inlines; this part mounts the component and reports its view (control values)
// back to the page, which keeps it in the URL and in the "Download interactive HTML" file.
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let root = parentElement.querySelector(".dsviz-figure");
  if (!root) {
    root = document.createElement("div");
    root.className = "dsviz-figure";
    parentElement.appendChild(root);
  }
  let timer = null;
  root.__dsvizOnChange = (view) => {
    clearTimeout(timer);
    timer = setTimeout(() => setStateValue("view", view), 400); // one report after a burst of moves
  };
  const identity = [data.identity, data.imageFormat, data.markerScale].join("|");
  if (root.__dsvizIdentity === identity) return; // same data and toolbar: the figure on screen is current
  root.__dsvizIdentity = identity;
  window.dsvizFigureKit.imageFormat = data.imageFormat; // the sidebar's PNG / SVG choice
  window.dsvizFigureKit.markerScale = data.markerScale; // presenter mode draws larger markers
  window.dsvizFigureKit.mount(root, data.component, JSON.parse(data.payload));
}
