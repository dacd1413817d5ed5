// dsviz pair view: joint UMAP embedding of two datasets, the strongest coupling lines, and on hover a point's
// image with its best match in the other dataset (pinned by a click: its top partners). With a matrix in the
// payload, clicking a cell whose pair is in the payload switches the view. Everything is drawn in the browser
// from the payload (dsviz/figures/pair_view.py); nothing is requested from anywhere.
(function () {
  const SCALE = 4;
  const SYMBOLS = ["circle", "diamond"];
  const METRICS = [
    ["otdd", "OTDD"],
    ["feature_component", "feature part Σπ‖x−x′‖²"],
    ["label_component", "label part Σπ W₂²(P_y, P_y′)"],
    ["ot", "plain OT"],
  ];


  function cellText(x) {
    if (x === null) return "…";
    if (Math.abs(x) < 1e-9) return "0";
    return Math.abs(x) >= 100 ? x.toLocaleString("en-US", { maximumFractionDigits: 0 }) : x.toPrecision(3);
  }

  // One <img> per sprite sheet, decoded once; draw() waits for it.
  function loadSprites(images) {
    const out = {};
    for (const [key, s] of Object.entries(images)) {
      const img = new Image();
      img.src = s.url;
      out[key] = { img, cols: s.cols, tile: s.tile, ready: img.decode().then(() => img) };
    }
    return out;
  }

  function drawTile(canvas, sprite, index) {
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (index < 0) return;
    const t = sprite.tile;
    ctx.drawImage(sprite.img, (index % sprite.cols) * t, Math.floor(index / sprite.cols) * t, t, t,
      0, 0, canvas.width, canvas.height);
  }

  // A point in global order (source points, then target points): its side, dataset, class and sprite position.
  function describe(view, sprites, g) {
    const side = g < view.n_src ? 0 : 1;
    return {
      side,
      dataset: side === 0 ? view.src : view.tgt,
      cls: view.classes[side][view.cls[g]],
      sprite: sprites[view.images[side]],
      local: side === 0 ? g : g - view.n_src,
    };
  }

  window.dsvizFigures.pair_view = function (root, payload, kit) {
    const el = kit.el;
    const metricSpan = (name, value, text) => el("span", { "data-metric": name, "data-value": String(value) }, text);
    const sprites = loadSprites(payload.images);
    const scale = kit.markerScale || 1; // presenter mode in the app
    root.classList.add("dsviz-pv-root");
    root.innerHTML = "";
    const style = el("style");
    style.textContent = `
      .dsviz-pv { font-family: "Source Sans Pro", sans-serif; color: rgb(49, 51, 63); }
      .dsviz-pv-top { display: flex; gap: 1.5rem; align-items: flex-start; flex-wrap: wrap; }
      .dsviz-pv-metrics { display: flex; gap: 0 2rem; flex-wrap: wrap; margin: 0.5rem 0 0; }
      .dsviz-pv-metrics .dsviz-metric { min-width: 10rem; }
      .dsviz-pv-controls .dsviz-control { max-width: 24rem; }
      .dsviz-pv-main { display: flex; gap: 1rem; align-items: flex-start; }
      .dsviz-pv-plot { flex: 1 1 auto; min-width: 0; height: 620px; }
      .dsviz-pv-panel { flex: 0 0 300px; padding: 0.75rem; border: 1px solid rgba(128,128,128,0.35);
        border-radius: 0.5rem; font-size: 0.9rem; }
      .dsviz-pv-panel.pinned { border-color: #ff4b4b; }
      .dsviz-pv-pair { display: flex; align-items: center; gap: 0.4rem; }
      .dsviz-pv-panel:not([data-hover-index]) .dsviz-pv-pair { visibility: hidden; } /* no empty boxes before a hover */
      .dsviz-pv-pair figure, .dsviz-pv-partners figure { margin: 0; text-align: center; }
      .dsviz-pv-pair canvas { width: 112px; height: 112px; image-rendering: pixelated; border-radius: 4px; }
      .dsviz-pv-partners { display: flex; gap: 0.4rem; flex-wrap: wrap; margin-top: 0.5rem; }
      .dsviz-pv-partners canvas { width: 64px; height: 64px; image-rendering: pixelated; border-radius: 3px; }
      .dsviz-pv-partners figcaption, .dsviz-pv-pair figcaption { font-size: 0.8rem; }
      .dsviz-pv-hint, .dsviz-pv-note { font-size: 0.85rem; opacity: 0.75; margin-bottom: 0.4rem; }
      .dsviz-pv-mass { margin-top: 0.5rem; font-size: 0.85rem; }`;
    root.appendChild(style);
    const box = el("div", { class: "dsviz-pv" });
    root.appendChild(box);

    const top = el("div", { class: "dsviz-pv-top" });
    box.appendChild(top);
    let matrixDiv = null;
    const matrix = payload.matrix;
    if (matrix) {
      matrixDiv = el("div", { class: "dsviz-pv-matrix" });
      top.appendChild(matrixDiv);
      const side = el("div");
      const k = matrix.names.length, included = Object.keys(matrix.cells).length;
      side.appendChild(el("div", { class: "dsviz-pv-note" },
        included === (k * (k - 1)) / 2
          ? "Click a cell to show that pair below."
          : `The pair view of ${included} of ${(k * (k - 1)) / 2} pairs is included (the others would exceed the ` +
            "size budget); click its cell to show it below."));
      const cell = el("div", { class: "dsviz-metric" }, [
        el("div", { class: "dsviz-metric-label" }, `${matrix.method}, selected cell`),
        el("div", { class: "dsviz-metric-number", "data-metric": "matrix_cell", "data-value": "" }),
      ]);
      side.appendChild(cell);
      top.appendChild(side);
    }

    const title = el("h3", { class: "dsviz-pv-title" });
    box.appendChild(title);
    const metricsBox = el("div", { class: "dsviz-pv-metrics" });
    box.appendChild(metricsBox);
    const metrics = Object.fromEntries(METRICS.map(([key, name]) => [key, kit.metric(metricsBox, key, name, 1)]));

    const controls = el("div", { class: "dsviz-controls dsviz-pv-controls" });
    box.appendChild(controls);
    const slider = kit.range(controls, {
      name: "lines", label: "Coupling lines shown", min: 0, max: payload.lines_max, step: 50,
      value: Math.min(payload.initial.lines, payload.lines_max),
    }, (value) => {
      state.lines = value;
      kit.changed(root, { lines: value });
      redraw();
    });

    const main = el("div", { class: "dsviz-pv-main" });
    const plot = el("div", { class: "dsviz-pv-plot" });
    const panel = el("div", { class: "dsviz-pv-panel", "data-testid": "hover-panel" });
    panel.innerHTML = `
      <div class="dsviz-pv-hint">Hover a point to see its image and its best match; click to pin it.</div>
      <div class="dsviz-pv-pair">
        <figure><canvas class="dsviz-pv-a" width="${28 * SCALE}" height="${28 * SCALE}"></canvas>
          <figcaption class="dsviz-pv-cap-a">&nbsp;</figcaption></figure>
        <div>&rarr;</div>
        <figure><canvas class="dsviz-pv-b" width="${28 * SCALE}" height="${28 * SCALE}"></canvas>
          <figcaption class="dsviz-pv-cap-b">&nbsp;</figcaption></figure>
      </div>
      <div class="dsviz-pv-mass">&nbsp;</div>
      <div class="dsviz-pv-partners"></div>`;
    main.appendChild(plot);
    main.appendChild(panel);
    box.appendChild(main);

    const state = { view: 0, pinned: -1, lines: Number(slider.value), hoverToken: 0 };
    const config = kit.plotlyConfig(payload.filename || "dsviz-pair-view");
    let Plotly = null;

    function cur() {
      return payload.views[state.view];
    }

    function traces(view) {
      const data = [];
      const k = Math.min(state.lines, view.line_src.length);
      const lx = new Array(3 * k), ly = new Array(3 * k);
      for (let i = 0; i < k; i++) {
        const a = view.line_src[i], b = view.line_tgt[i];
        lx[3 * i] = view.x[a]; ly[3 * i] = view.y[a];
        lx[3 * i + 1] = view.x[b]; ly[3 * i + 1] = view.y[b];
        lx[3 * i + 2] = null; ly[3 * i + 2] = null;
      }
      data.push({
        type: "scatter", x: lx, y: ly, mode: "lines", hoverinfo: "skip",
        line: { color: "rgba(120,120,120,0.35)", width: 1 }, name: `coupling (${k} strongest)`,
      });
      const names = [view.src, view.tgt];
      for (let side = 0; side < 2; side++) {
        const offset = side === 0 ? 0 : view.n_src, n = side === 0 ? view.n_src : view.n_tgt;
        const byClass = view.classes[side].map(() => []);
        for (let i = 0; i < n; i++) byClass[view.cls[offset + i]].push(offset + i);
        view.classes[side].forEach((cname, c) => {
          const idx = byClass[c];
          data.push({
            type: "scatter", mode: "markers",
            x: idx.map((g) => view.x[g]), y: idx.map((g) => view.y[g]), customdata: idx,
            marker: {
              symbol: SYMBOLS[side], size: (side === 0 ? 6 : 7) * scale, color: view.colors[side][c], opacity: 0.8,
              line: { width: 0.5, color: "white" },
            },
            name: `${names[side]}: ${cname}`, legendgroup: names[side], legendgrouptitle: { text: names[side] },
            hovertemplate: `${names[side]}: ${cname}<extra></extra>`,
          });
        });
      }
      data.push({
        type: "scatter", x: [], y: [], mode: "lines+markers", hoverinfo: "skip", showlegend: false,
        line: { color: "#ff4b4b", width: 3 },
        marker: { size: 14 * scale, color: "rgba(0,0,0,0)", line: { color: "#ff4b4b", width: 3 } },
      });
      return data;
    }

    function layout(view) {
      return {
        height: 620, margin: { l: 10, r: 10, t: 30, b: 10 }, hovermode: "closest",
        xaxis: { visible: false }, yaxis: { visible: false, scaleanchor: "x" },
        legend: { font: { size: 10 }, itemsizing: "constant", groupclick: "toggleitem" },
        title: { text: `Joint UMAP of ${view.src} (●) and ${view.tgt} (◆)` },
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      };
    }

    function drawMatrix() {
      const k = matrix.names.length;
      const z = matrix.values;
      const done = z.flat().filter((v) => v !== null);
      const mid = done.length ? (Math.min(...done) + Math.max(...done)) / 2 : 0;
      const text = z.map((row) => row.map(cellText));
      const view = cur();
      const r = matrix.names.indexOf(view.src), c = matrix.names.indexOf(view.tgt);
      const annotations = [];
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
        annotations.push({
          x: matrix.names[j], y: matrix.names[i], text: text[i][j], showarrow: false,
          font: { size: 12, color: z[i][j] !== null && z[i][j] > mid ? "white" : "black" },
        });
      }
      const data = [{
        type: "heatmap", z, x: matrix.names, y: matrix.names, colorscale: matrix.colors.colorscale, reversescale: matrix.colors.reversescale, xgap: 2, ygap: 2,
        colorbar: { thickness: 12, len: 0.8 }, hovertemplate: "%{y} → %{x}<br>%{z}<extra></extra>",
      }];
      const shapes = r >= 0 && c >= 0 ? [{
        type: "rect", xref: "x", yref: "y", x0: c - 0.5, x1: c + 0.5, y0: r - 0.5, y1: r + 0.5,
        line: { color: "#ff4b4b", width: 3 },
      }] : [];
      const lay = {
        title: { text: matrix.method }, width: 520, height: 460, margin: { l: 110, r: 10, t: 40, b: 100 },
        xaxis: { type: "category", tickangle: -35, showgrid: false },
        yaxis: { type: "category", autorange: "reversed", showgrid: false },
        annotations, shapes, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      };
      const value = r >= 0 && c >= 0 ? z[r][c] : null;
      const cell = top.querySelector("[data-metric='matrix_cell']");
      cell.setAttribute("data-value", value === null ? "" : String(value));
      cell.setAttribute("data-src", view.src);
      cell.setAttribute("data-tgt", view.tgt);
      cell.textContent = value === null ? "—" : `${view.src} → ${view.tgt}: ${cellText(value)}`;
      return Plotly.react(matrixDiv, data, lay, config);
    }

    function showMetrics(view) {
      title.textContent = `${view.src} vs ${view.tgt}`;
      for (const [key] of METRICS) metrics[key].set(view.metrics[key]);
    }

    function highlight(view, g, best) {
      const xs = [view.x[g]], ys = [view.y[g]];
      if (best >= 0) { xs.push(view.x[best]); ys.push(view.y[best]); }
      return Plotly.restyle(plot, { x: [xs], y: [ys] }, [plot.data.length - 1]);
    }

    // Show point g (hovered or pinned) in the panel; data-drawn is set once both images are painted.
    function show(g, pinned) {
      const view = cur();
      const token = ++state.hoverToken;
      const p = describe(view, sprites, g);
      const best = view.best[g];
      panel.dataset.hoverIndex = String(g);
      panel.dataset.matchIndex = String(best);
      delete panel.dataset.drawn;
      panel.classList.toggle("pinned", pinned);
      panel.querySelector(".dsviz-pv-cap-a").textContent = `${p.dataset}: ${p.cls}`;
      const mass = panel.querySelector(".dsviz-pv-mass");
      mass.innerHTML = "";
      const partners = panel.querySelector(".dsviz-pv-partners");
      partners.innerHTML = "";
      let q = null;
      if (best >= 0) {
        q = describe(view, sprites, best);
        panel.querySelector(".dsviz-pv-cap-b").textContent = `${q.dataset}: ${q.cls}`;
        const own = p.side === 0 ? view.n_src : view.n_tgt;
        mass.appendChild(document.createTextNode("coupling mass "));
        mass.appendChild(metricSpan("mass", view.mass[g], view.mass[g].toExponential(2)));
        mass.appendChild(document.createTextNode(` (${(view.mass[g] * own * 100).toFixed(0)}% of this point's mass)`));
      } else {
        panel.querySelector(".dsviz-pv-cap-b").textContent = "no match";
        mass.textContent = "this point sends no mass";
      }
      const jobs = [p.sprite.ready, q ? q.sprite.ready : Promise.resolve()];
      const tiles = [];
      if (pinned) {
        partners.appendChild(el("div", { class: "dsviz-pv-note" }, `Pinned: ${p.dataset} point ${p.local}; its matches:`));
        for (let t = 0; t < view.top_k; t++) {
          const j = view.top_index[g * view.top_k + t];
          if (j < 0) continue;
          const d = describe(view, sprites, j);
          const fig = el("figure", { "data-partner": String(j) });
          const canvas = el("canvas", { width: String(28 * 2), height: String(28 * 2) });
          const m = view.top_mass[g * view.top_k + t];
          const cap = el("figcaption");
          cap.appendChild(document.createTextNode(`${d.cls} · `));
          cap.appendChild(metricSpan("partner_mass", m, m.toExponential(2)));
          fig.appendChild(canvas);
          fig.appendChild(cap);
          partners.appendChild(fig);
          tiles.push([canvas, d.sprite, d.local]);
          jobs.push(d.sprite.ready);
        }
      }
      return Promise.all(jobs).then(() => {
        if (token !== state.hoverToken) return;
        drawTile(panel.querySelector(".dsviz-pv-a"), p.sprite, p.local);
        drawTile(panel.querySelector(".dsviz-pv-b"), q ? q.sprite : p.sprite, q ? q.local : -1);
        for (const [canvas, sprite, local] of tiles) drawTile(canvas, sprite, local);
        panel.dataset.drawn = String(g);
        return highlight(view, g, best);
      });
    }

    function clearPanel() {
      for (const c of panel.querySelectorAll("canvas")) drawTile(c, null, -1);
      panel.querySelector(".dsviz-pv-cap-a").innerHTML = "&nbsp;";
      panel.querySelector(".dsviz-pv-cap-b").innerHTML = "&nbsp;";
      panel.querySelector(".dsviz-pv-mass").innerHTML = "&nbsp;";
      panel.querySelector(".dsviz-pv-partners").innerHTML = "";
      panel.classList.remove("pinned");
      delete panel.dataset.hoverIndex;
      delete panel.dataset.matchIndex;
      delete panel.dataset.drawn;
    }

    function redraw() {
      root.dataset.ready = "0";
      const view = cur();
      showMetrics(view);
      const jobs = [Plotly.react(plot, traces(view), layout(view), config)];
      if (matrix) jobs.push(drawMatrix());
      root.dataset.view = String(state.view);
      return kit.drawn(root, [Promise.all(jobs).then(() => (state.pinned >= 0 ? show(state.pinned, true) : null))]);
    }

    kit.plotly().then((P) => {
      Plotly = P;
      return redraw();
    }).then(() => {
      plot.on("plotly_hover", (ev) => {
        const pt = ev.points && ev.points[0];
        if (!pt || pt.customdata === undefined || pt.customdata === null) return;
        show(Number(pt.customdata), false);
      });
      plot.on("plotly_unhover", () => {
        if (state.pinned >= 0) show(state.pinned, true);
      });
      plot.on("plotly_click", (ev) => {
        const pt = ev.points && ev.points[0];
        if (!pt || pt.customdata === undefined || pt.customdata === null) return;
        state.pinned = Number(pt.customdata);
        show(state.pinned, true);
      });
      if (matrix) {
        matrixDiv.on("plotly_click", (ev) => {
          const pt = ev.points && ev.points[0];
          if (!pt) return;
          const i = matrix.names.indexOf(pt.y), j = matrix.names.indexOf(pt.x);
          const key = `${Math.min(i, j)},${Math.max(i, j)}`;
          if (i === j || !(key in matrix.cells) || matrix.cells[key] === state.view) return;
          state.view = matrix.cells[key];
          state.pinned = -1;
          clearPanel();
          redraw();
        });
      }
    });
  };
})();
