// dsviz client-side figures: the registry and the helpers every component shares.
//
// A component registers  window.dsvizFigures["<name>"] = function (root, payload, kit) {...}  and
// draws into root. The contract that tests and scripts rely on:
//  * every control is an <input type="range"> or a <select> whose name is the page's URL parameter;
//  * every number dsviz computed is an element with data-metric="<what>" and its full-precision
//    value in data-value;
//  * root gets data-ready="1" when a redraw is on screen, and data-frame counts the redraws.
// The same files run in the exported HTML (plotly.js inlined) and in the Streamlit page (plotly.js
// from the app's own static folder, via loadPlotly in assets/plotly_loader.js).
(function () {
  "use strict";
  window.dsvizFigures = window.dsvizFigures || {};

  const CSS = `
.dsviz-figure { font-family: "Source Sans Pro", "Helvetica Neue", Arial, sans-serif; color: rgb(49, 51, 63); }
.dsviz-controls { display: flex; flex-wrap: wrap; gap: 0.6rem 2rem; margin: 0.4rem 0 0.8rem; }
.dsviz-control { display: flex; flex-direction: column; min-width: 18rem; font-size: 0.9rem; margin-bottom: 0.3rem; }
.dsviz-control input[type=range] { width: 100%; accent-color: #ff4b4b; }
.dsviz-control .dsviz-value { font-weight: 600; }
.dsviz-row { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.dsviz-metrics { min-width: 14rem; flex: 1; }
.dsviz-metric { margin-bottom: 0.7rem; }
.dsviz-metric .dsviz-metric-label { font-size: 0.85rem; color: #555; }
.dsviz-metric .dsviz-metric-number { font-size: 1.9rem; line-height: 1.2; }
.dsviz-metric .dsviz-metric-note { font-size: 0.8rem; color: #777; }
.dsviz-table { border-collapse: collapse; font-size: 0.85rem; margin: 0.3rem 0; }
.dsviz-table th, .dsviz-table td { border: 1px solid #e6eaf1; padding: 0.15rem 0.5rem; text-align: right; white-space: nowrap; }
.dsviz-caption { font-size: 0.85rem; color: #666; margin: 0.3rem 0 0.8rem; }
.dsviz-images { display: flex; flex-wrap: wrap; gap: 1rem; }
.dsviz-images figure { margin: 0; }
.dsviz-images img { image-rendering: pixelated; max-width: 100%; }
.dsviz-images figcaption { font-size: 0.85rem; color: #666; }
`;

  function style() {
    if (document.getElementById("dsviz-figure-style")) return;
    const s = document.createElement("style");
    s.id = "dsviz-figure-style";
    s.textContent = CSS;
    document.head.appendChild(s);
  }

  // el("div", {class: "x", "data-metric": "otdd"}, [children or text])
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) node.setAttribute(k, v);
    }
    for (const c of [].concat(children || [])) node.append(c);
    return node;
  }

  // A labelled <input type="range" name=spec.name>; onInput(value) on every move.
  function range(parent, spec, onInput) {
    const shown = el("span", { class: "dsviz-value" });
    const input = el("input", {
      type: "range", name: spec.name, min: spec.min, max: spec.max, step: spec.step, value: spec.value,
      "aria-label": spec.label,
    });
    const format = spec.format || ((v) => String(v));
    const update = () => { shown.textContent = format(Number(input.value)); };
    input.addEventListener("input", () => { update(); onInput(Number(input.value)); });
    update();
    parent.append(el("label", { class: "dsviz-control" }, [el("span", {}, [spec.label + ": ", shown]), input]));
    return input;
  }

  // A labelled <select name=spec.name> over spec.options [{value, label}].
  function select(parent, spec, onChange) {
    const input = el("select", { name: spec.name, "aria-label": spec.label });
    for (const o of spec.options) input.append(el("option", { value: o.value }, [o.label]));
    input.value = spec.value;
    input.addEventListener("change", () => onChange(input.value));
    parent.append(el("label", { class: "dsviz-control" }, [el("span", {}, [spec.label]), input]));
    return input;
  }

  // A number dsviz computed: data-metric=name, data-value=full precision, shown with `digits` decimals.
  function metric(parent, name, label, digits, note) {
    const number = el("div", { class: "dsviz-metric-number", "data-metric": name });
    const noteEl = el("div", { class: "dsviz-metric-note" }, [note || ""]);
    parent.append(el("div", { class: "dsviz-metric" }, [el("div", { class: "dsviz-metric-label" }, [label]), number, noteEl]));
    return {
      set(value) {
        number.dataset.value = String(value);
        number.textContent = value === null || !isFinite(value) ? "–" : value.toFixed(digits);
      },
      note(text) { noteEl.textContent = text; },
    };
  }

  // A table of numbers, each cell with data-metric=name and data-row / data-col.
  function matrixTable(parent, name, rows, cols, values, digits) {
    const table = el("table", { class: "dsviz-table" });
    table.append(el("tr", {}, [el("th", {}, [""]), ...cols.map((c) => el("th", {}, [c]))]));
    rows.forEach((r, i) => {
      table.append(el("tr", {}, [el("th", {}, [r]), ...cols.map((c, j) => {
        const v = values[i][j];
        return el("td", { "data-metric": name, "data-value": String(v), "data-row": r, "data-col": c }, [v.toFixed(digits)]);
      })]));
    });
    parent.replaceChildren(table);
  }

  // plotly.js: inlined in an exported file, else loaded once from the app's own server (plotly_loader.js).
  function plotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (typeof loadPlotly === "function") return loadPlotly(); // eslint-disable-line no-undef
    return Promise.reject(new Error("plotly.js is not available"));
  }

  const SVG_ICON = { width: 1000, height: 1000, path: "M100 100h800v800h-800z M200 700l200-300 150 200 100-120 150 220z" };

  // The toolbar: only the camera. In the app, the sidebar's choice (kit.imageFormat, "png" or "svg")
  // picks what it saves; in an exported file it saves a PNG at twice the size, and a second button an SVG.
  function plotlyConfig(filename) {
    const format = window.dsvizFigureKit.imageFormat;
    if (format) {
      const options = format === "png" ? { format, filename, scale: 2 } : { format, filename };
      return { displaylogo: false, responsive: true, modeBarButtons: [["toImage"]], toImageButtonOptions: options };
    }
    return {
      displaylogo: false,
      responsive: true,
      modeBarButtons: [["toImage", {
        name: "Download plot as SVG", icon: SVG_ICON,
        click: (gd) => window.Plotly.downloadImage(gd, { format: "svg", filename }),
      }]],
      toImageButtonOptions: { format: "png", scale: 2, filename },
    };
  }

  // True from a scheduled redraw's animation-frame callback until the frame it ran in has been rendered.
  let inFrame = false;

  // Call after a redraw's Plotly.react promises: marks root ready (data-frame + 1) in the frame that shows the
  // redraw: this one when the scheduler ran it in an animation-frame callback, else the next one.
  function drawn(root, promises) {
    return Promise.all(promises).then(() => new Promise((resolve) => {
      const mark = () => {
        root.dataset.frame = String(Number(root.dataset.frame || "0") + 1);
        root.dataset.ready = "1";
        resolve();
      };
      if (inFrame) mark(); else requestAnimationFrame(mark);
    }));
  }

  // One redraw per burst of control events: marks root busy at once and redraws in the next animation-frame
  // callback, so the frame rendered right after it shows the new state (events within one frame share a redraw).
  function scheduler(root, redraw) {
    let pending = false;
    return function schedule() {
      root.dataset.ready = "0";
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        inFrame = true;
        setTimeout(() => { inFrame = false; }, 0); // the first task after this frame's rendering
        redraw();
      });
    };
  }

  // The view (control values) changed: tell the host (the Streamlit page keeps it in the URL).
  function changed(root, view) {
    if (typeof root.__dsvizOnChange === "function") root.__dsvizOnChange(view);
  }

  function mount(root, component, payload) {
    style();
    const draw = window.dsvizFigures[component];
    if (typeof draw !== "function") throw new Error("unknown figure component " + component);
    root.classList.add("dsviz-figure");
    root.dataset.ready = "0";
    root.replaceChildren();
    try {
      draw(root, payload, window.dsvizFigureKit);
    } catch (err) {
      root.textContent = "Could not draw the figure: " + err;
      throw err;
    }
  }

  window.dsvizFigureKit = {
    el, range, select, metric, matrixTable, plotly, plotlyConfig, drawn, scheduler, changed, mount, imageFormat: null, markerScale: 1,
  };
})();
