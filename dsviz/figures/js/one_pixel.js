// dsviz one-pixel heatmaps: one lower-triangular heatmap of held-out accuracy per dataset (one colour scale from
// chance to 1) and, on hover, the pair's two class means with the chosen pixel boxed in red, its rule and both
// accuracies. Everything comes precomputed in the payload (dsviz/figures/one_pixel.py); nothing is fitted here.
(function () {
  const SCALE = 5;

  function metricLine(el, before, name, value, text, after) {
    return el("div", {}, [before, el("span", { "data-metric": name, "data-value": String(value) }, text), after || ""]);
  }

  function drawMean(canvas, sprite, index, row, col) {
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const t = sprite.tile;
    ctx.drawImage(sprite.img, (index % sprite.cols) * t, Math.floor(index / sprite.cols) * t, t, t,
      0, 0, canvas.width, canvas.height);
    if (row < 0 || col < 0) return;
    const s = canvas.width / t;
    ctx.strokeStyle = "#ff2b2b";
    ctx.lineWidth = 2;
    ctx.strokeRect(col * s - 2, row * s - 2, s + 4, s + 4);
    ctx.globalAlpha = 0.45;
    ctx.beginPath();
    ctx.moveTo(col * s + s / 2, 0); ctx.lineTo(col * s + s / 2, row * s - 3);
    ctx.moveTo(col * s + s / 2, row * s + s + 3); ctx.lineTo(col * s + s / 2, canvas.height);
    ctx.moveTo(0, row * s + s / 2); ctx.lineTo(col * s - 3, row * s + s / 2);
    ctx.moveTo(col * s + s + 3, row * s + s / 2); ctx.lineTo(canvas.width, row * s + s / 2);
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  // The sentence that says where the classifier of the pair (lo, hi) flips and which class is brighter there.
  function rule(el, d, lo, hi) {
    const threshold = d.threshold[lo][hi];
    const w = d.weight[hi][lo];
    const brighter = w > 0 ? d.classes[lo] : d.classes[hi];
    if (threshold === null) return [document.createTextNode("constant prediction (flat pixel)")];
    if (d.feature === "l2") {
      return [metricLine(el, "threshold ", "threshold", threshold, threshold.toFixed(4),
        ` of pixel / ‖image‖: ${brighter} above`)];
    }
    return [metricLine(el, "threshold ", "threshold", threshold, `${threshold.toFixed(1)} / 255`,
      `: ${brighter} when pixel > ${threshold.toFixed(0)} of 255`)];
  }

  window.dsvizFigures.one_pixel = function (root, payload, kit) {
    const el = kit.el;
    root.classList.add("dsviz-op-root");
    root.innerHTML = "";
    const style = el("style");
    style.textContent = `
      .dsviz-op { display: flex; gap: 1rem; align-items: flex-start; font-family: "Source Sans Pro", sans-serif;
        color: rgb(49, 51, 63); }
      .dsviz-op-plots { flex: 1 1 auto; min-width: 0; display: flex; flex-wrap: wrap; gap: 0.5rem; }
      .dsviz-op-plot { flex: 1 1 300px; min-width: 300px; height: 560px; }
      .dsviz-op-panel { flex: 0 0 260px; padding: 0.75rem; border: 1px solid rgba(128,128,128,0.35);
        border-radius: 0.5rem; }
      .dsviz-op-hint { font-size: 0.8rem; opacity: 0.7; margin-bottom: 0.5rem; }
      .dsviz-op-title { font-weight: 600; margin-bottom: 0.4rem; }
      .dsviz-op-images { display: flex; gap: 0.5rem; flex-wrap: wrap; }
      .dsviz-op-images figure { margin: 0; text-align: center; }
      .dsviz-op-images canvas { width: 112px; height: 112px; image-rendering: pixelated; border-radius: 4px; }
      .dsviz-op-images figcaption { font-size: 0.85rem; margin-top: 0.2rem; }
      .dsviz-op-lines { font-size: 0.85rem; margin-top: 0.5rem; line-height: 1.5; }`;
    root.appendChild(style);
    const box = el("div", { class: "dsviz-op" });
    const plots = el("div", { class: "dsviz-op-plots" });
    const panel = el("div", { class: "dsviz-op-panel", "data-testid": "hover-panel" });
    panel.innerHTML = `<div class="dsviz-op-hint">Hover a cell: the two class means with the chosen pixel boxed
      in red.</div><div class="dsviz-op-title"></div><div class="dsviz-op-images"></div>
      <div class="dsviz-op-lines"></div>`;
    box.appendChild(plots);
    box.appendChild(panel);
    root.appendChild(box);

    const sprites = payload.datasets.map((d) => {
      const img = new Image();
      img.src = d.means.url;
      return { img, cols: d.means.cols, tile: d.means.tile, ready: img.decode().then(() => img) };
    });
    const config = kit.plotlyConfig(payload.filename || "dsviz-one-pixel");
    let token = 0;

    // Panel of heatmap cell (row lo, column hi) of dataset `curve`; data-key is set once both means are painted.
    function show(curve, lo, hi) {
      const d = payload.datasets[curve];
      const acc = d.val_accuracy[lo][hi];
      if (lo <= hi || acc === null) return Promise.resolve();
      const mine = ++token;
      const [row, col] = d.pixel[lo][hi];
      panel.querySelector(".dsviz-op-title").textContent = `${d.title}: ${d.classes[lo]} vs ${d.classes[hi]}`;
      const images = panel.querySelector(".dsviz-op-images");
      images.innerHTML = "";
      const canvases = [lo, hi].map((c) => {
        const fig = el("figure");
        const canvas = el("canvas", { width: String(d.means.tile * SCALE), height: String(d.means.tile * SCALE) });
        fig.appendChild(canvas);
        fig.appendChild(el("figcaption", {}, `mean ${d.classes[c]}`));
        images.appendChild(fig);
        return [canvas, c];
      });
      const lines = panel.querySelector(".dsviz-op-lines");
      lines.innerHTML = "";
      lines.appendChild(el("div", {}, `pixel (row ${row}, col ${col})`));
      for (const node of rule(el, d, lo, hi)) lines.appendChild(node);
      lines.appendChild(metricLine(el, `${d.held_out_name} `, "val_accuracy", acc, acc.toFixed(3)));
      const train = d.train_accuracy[lo][hi];
      lines.appendChild(metricLine(el, "in-sample accuracy ", "train_accuracy", train, train.toFixed(3)));
      delete panel.dataset.key;
      return sprites[curve].ready.then(() => {
        if (mine !== token) return;
        for (const [canvas, c] of canvases) drawMean(canvas, sprites[curve], c, row, col);
        panel.dataset.key = `${curve}:${lo},${hi}`;
      });
    }

    // All plot boxes first, so each is measured at its final width when it is drawn.
    const boxes = payload.datasets.map((d) => plots.appendChild(el("div", { class: "dsviz-op-plot", "data-dataset": d.title })));
    const draw = (Plotly) => payload.datasets.map((d, curve) => {
      const div = boxes[curve];
      const k = d.classes.length;
      // The lower triangle only: rows are classes 1..k-1, columns classes 0..k-2 (no empty first row or last column).
      const z = d.val_accuracy.slice(1).map((row, i) => row.slice(0, k - 1).map((v, j) => (j <= i ? v : null)));
      const text = z.map((row) => row.map((v) => (v === null ? "" : v.toFixed(2))));
      const last = curve === payload.datasets.length - 1;
      const data = [{
        type: "heatmap", z, x: d.classes.slice(0, k - 1), y: d.classes.slice(1), text, texttemplate: "%{text}",
        textfont: { size: k > 12 ? 8 : 10 }, colorscale: payload.colors.colorscale, reversescale: payload.colors.reversescale, zmin: payload.chance, zmax: 1,
        showscale: last, colorbar: { title: { text: "accuracy", side: "top" }, orientation: "h", y: -0.22, len: 0.8, thickness: 10 }, xgap: 1, ygap: 1,
        hovertemplate: `%{y} vs %{x}<br>${d.held_out_name} %{z:.3f}<extra></extra>`,
      }];
      const layout = {
        title: { text: d.title }, height: 560, margin: { l: 70, r: 10, t: 40, b: 110 },
        xaxis: { type: "category", tickangle: -45, automargin: true },
        yaxis: { type: "category", autorange: "reversed", automargin: true },
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      };
      return Plotly.newPlot(div, data, layout, config).then((gd) => {
        gd.on("plotly_hover", (ev) => {
          const pt = ev.points && ev.points[0];
          if (pt && Array.isArray(pt.pointIndex)) show(curve, pt.pointIndex[0] + 1, pt.pointIndex[1]);
        });
        return gd;
      });
    });
    root.dataset.ready = "0";
    const first = payload.initial ? show(...payload.initial) : Promise.resolve();
    kit.drawn(root, [kit.plotly().then((Plotly) => Promise.all(draw(Plotly))), first]);
  };
})();
