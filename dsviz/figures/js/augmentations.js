// Augmentation explorer: transformed source vs fixed target, redrawn in the browser for every
// (transformation, magnitude) state the server precomputed (dsviz/figures/augmentations.py). Each state's
// charts are drawn once, ahead of time (after the view on screen is painted), so a slider move only swaps panes.
// The magnitude control is an <input type="range" name="magnitude"> over the grid's positions;
// the magnitude itself is in its data-magnitude attribute and next to it on screen.
(function () {
  "use strict";
  const OTDD_COLOR = "#d62728";

  // colors: {colorscale, reversescale} from the payload (dsviz/figures/colors.py, as ui/heatmaps.py draws them)
  function heatmap(title, z, rows, cols, fmt, colors, zmin, zmax) {
    return {
      data: [{
        type: "heatmap", z, x: cols, y: rows, ...colors, zmin, zmax, texttemplate: fmt,
        textfont: { size: 10 }, hovertemplate: "%{y} → %{x}: %{z:.4g}<extra></extra>", showscale: false,
      }],
      layout: {
        title: { text: title, font: { size: 14 } }, height: 380, margin: { l: 60, r: 10, t: 40, b: 50 },
        yaxis: { autorange: "reversed", type: "category", automargin: true }, xaxis: { type: "category", automargin: true },
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      },
    };
  }

  window.dsvizFigures.augmentations = function (root, payload, kit) {
    const { el } = kit;
    const names = Object.keys(payload.transforms);
    const view = { ...payload.initial };
    const grid = (t) => payload.transforms[t].states.map((s) => s.magnitude);
    const rowsLabel = payload.classes_src.map((c) => `${payload.source} ${c}`);
    const colsLabel = payload.classes_tgt.map((c) => `${payload.target} ${c}`);

    const controls = el("div", { class: "dsviz-controls" });
    const images = el("div", { class: "dsviz-images" });
    const srcImg = el("img", { alt: "transformed source images" });
    const srcCap = el("figcaption", {});
    images.append(el("figure", {}, [srcImg, srcCap]),
      el("figure", {}, [el("img", { src: payload.target_image, alt: "target images" }), el("figcaption", {}, [`${payload.target} (fixed)`])]));
    const side = el("div", { class: "dsviz-metrics" });
    const mOtdd = kit.metric(side, "otdd", "OTDD", 1, "");
    const mOt = kit.metric(side, "ot", "OT (labels ignored)", 1, "");
    const source = el("div", { class: "dsviz-caption" });
    side.append(source);
    // One pane (two heatmaps and the curve) per (transformation, magnitude), drawn ahead of time and stacked:
    // a slider move only shows another pane. Only the pane on screen carries the charts' class names.
    const stage = el("div", { style: "position: relative" });
    root.append(controls, el("div", { class: "dsviz-row" }, [el("div", { style: "flex: 4" }, [images]), side]), stage);
    const CLASSES = ["dsviz-label-heatmap", "dsviz-coupling-heatmap", "dsviz-curve"];
    const HIDDEN = "position: absolute; top: 0; left: 0; right: 0; visibility: hidden; pointer-events: none";
    const panes = new Map(); // "transform|index" -> {box, charts: [label heatmap, coupling heatmap, curve], drawn}
    let shown = null;

    let select = null;
    if (names.length > 1) {
      select = kit.select(controls, {
        name: "transform", label: "Transformation", value: view.transform,
        options: names.map((t) => ({ value: t, label: payload.transforms[t].label })),
      }, (t) => { view.transform = t; view.magnitude = grid(t)[0]; resetRange(); schedule(); });
    }
    const rangeBox = el("div", {});
    controls.append(rangeBox);
    let range = null;
    function resetRange() {
      rangeBox.replaceChildren();
      const t = view.transform, g = grid(t), spec = payload.transforms[t];
      range = kit.range(rangeBox, {
        name: "magnitude", label: `${spec.label}: magnitude (${spec.unit})`, min: 0, max: g.length - 1, step: 1,
        value: Math.max(0, g.indexOf(view.magnitude)), format: (k) => String(g[k]),
      }, (k) => { view.magnitude = g[k]; range.dataset.magnitude = String(g[k]); schedule(); });
      range.dataset.magnitude = String(view.magnitude);
    }
    resetRange();

    const schedule = kit.scheduler(root, () => redraw());

    let Plotly = null;
    let backgroundToken = 0;

    function stateIndex(t, magnitude) { return Math.max(0, grid(t).indexOf(magnitude)); }

    // Draws the pane of state k of transformation t (hidden) unless it exists; returns it.
    function pane(t, k) {
      const key = t + "|" + k;
      if (panes.has(key)) return panes.get(key);
      const spec = payload.transforms[t], states = spec.states, s = states[k];
      const heatL = el("div", { style: "flex: 1; min-width: 380px" });
      const heatR = el("div", { style: "flex: 1; min-width: 380px" });
      const curveDiv = el("div", { style: "height: 320px" });
      const box = el("div", { style: HIDDEN }, [el("div", { class: "dsviz-row" }, [heatL, heatR]), curveDiv]);
      stage.append(box);
      const flat = s.label_distances.flat();
      const left = heatmap("Label distances W₂²(P_y, P_y′)", s.label_distances, rowsLabel, colsLabel, "%{z:.0f}",
        payload.colors.distance, Math.min(...flat), Math.max(...flat));
      const pct = s.class_coupling.map((r) => r.map((v) => 100 * v));
      const right = heatmap("Coupling mass between classes (% of all mass)", pct, rowsLabel, colsLabel, "%{z:.1f}", payload.colors.mass, 0, 10);
      const curve = {
        data: [
          { type: "scatter", x: grid(t), y: states.map((x) => x.otdd), mode: "lines+markers", line: { color: OTDD_COLOR, width: 2 }, marker: { size: 6 * kit.markerScale }, name: "OTDD", hovertemplate: "magnitude %{x:g}: OTDD %{y:.1f}<extra></extra>" },
          { type: "scatter", x: [s.magnitude], y: [s.otdd], mode: "markers", name: "current", marker: { size: 15 * kit.markerScale, color: OTDD_COLOR, symbol: "star", line: { color: "black", width: 1 } }, hovertemplate: "current: OTDD %{y:.1f}<extra></extra>" },
        ],
        layout: {
          title: { text: `OTDD vs. ${spec.label.toLowerCase()} magnitude`, font: { size: 14 } },
          xaxis: { title: { text: spec.unit } }, yaxis: { title: { text: `OTDD (transformed ${payload.source}, ${payload.target})` }, rangemode: "tozero" },
          height: 320, margin: { l: 60, r: 10, t: 40, b: 50 }, showlegend: false,
          paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
        },
      };
      const drawn = Promise.all([
        Plotly.react(heatL, left.data, left.layout, kit.plotlyConfig("dsviz-augmentations-label-heatmap")),
        Plotly.react(heatR, right.data, right.layout, kit.plotlyConfig("dsviz-augmentations-coupling-heatmap")),
        Plotly.react(curveDiv, curve.data, curve.layout, kit.plotlyConfig("dsviz-augmentations-otdd-curve")),
      ]);
      const entry = { box, charts: [heatL, heatR, curveDiv], drawn };
      panes.set(key, entry);
      return entry;
    }

    function show(entry) {
      if (shown === entry) return;
      if (shown) {
        shown.box.setAttribute("style", HIDDEN);
        shown.charts.forEach((c, i) => c.classList.remove(CLASSES[i]));
      }
      entry.box.setAttribute("style", "position: relative");
      entry.charts.forEach((c, i) => c.classList.add(CLASSES[i]));
      shown = entry;
    }

    // After a redraw is painted: the other magnitudes of this transformation, nearest first, one per task
    // (a key press waits for at most one); the panes of other transformations are let go.
    function background(t, k, token) {
      for (const [key, entry] of panes) {
        if (!key.startsWith(t + "|")) { entry.charts.forEach((c) => Plotly.purge(c)); entry.box.remove(); panes.delete(key); }
      }
      const n = grid(t).length;
      const queue = Array.from({ length: n }, (_, i) => i).filter((i) => i !== k).sort((a, b) => Math.abs(a - k) - Math.abs(b - k));
      const step = () => {
        if (token !== backgroundToken) return; // a newer view took over
        if (queue.length === 0) { root.dataset.idle = "1"; return; }
        pane(t, queue.shift());
        setTimeout(step, 0);
      };
      setTimeout(step, 0);
    }

    function redraw() {
      const t = view.transform, spec = payload.transforms[t];
      const k = stateIndex(t, view.magnitude);
      const s = spec.states[k], plain = spec.states[0];
      const token = ++backgroundToken;
      root.dataset.idle = "0";
      mOtdd.set(s.otdd);
      mOtdd.note(`${s.otdd - plain.otdd >= 0 ? "+" : ""}${(s.otdd - plain.otdd).toFixed(1)} vs. magnitude 0`);
      mOt.set(s.ot);
      source.textContent = s.cache_hit ? "From the cache." : `Computed in ${s.seconds.toFixed(1)} s.`;
      srcImg.src = s.image;
      srcCap.textContent = `${payload.source}, ${spec.label.toLowerCase()} ${s.magnitude}`;
      const entry = pane(t, k);
      show(entry);
      kit.changed(root, { ...view });
      const done = kit.drawn(root, [entry.drawn]);
      done.then(() => setTimeout(() => background(t, k, token), 0));
      return done;
    }

    kit.plotly().then((P) => { Plotly = P; redraw(); }).catch((err) => { root.textContent = "Could not draw the figure: " + err; });
  };
})();
