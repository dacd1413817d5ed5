// dsviz hover scatter: a plotly.js chart whose hover shows, with no server round-trip,
// the hovered point's image and the image of its best match under the OT coupling.
// Images come from one sprite sheet sent with the view; plotly.js is served by this
// app (copied from the installed plotly package), never from a CDN.

const SCALE = 4;

function drawTile(canvas, sprite, index) {
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (index < 0 || !sprite.img.complete) return;
  const t = sprite.tile;
  const sx = (index % sprite.cols) * t;
  const sy = Math.floor(index / sprite.cols) * t;
  ctx.drawImage(sprite.img, sx, sy, t, t, 0, 0, canvas.width, canvas.height);
}

function describe(data, g) {
  const side = g < data.n_src ? 0 : 1;
  return {
    side,
    dataset: data.datasets[side],
    cls: data.class_names[side][data.cls[g]],
    best: data.best[g],
    mass: data.mass[g],
  };
}

function build(root, data) {
  root.innerHTML = `
    <div class="dsviz-hs">
      <div class="dsviz-hs-plot"></div>
      <div class="dsviz-hs-panel" data-testid="hover-panel">
        <div class="dsviz-hs-hint">Hover a point to see its image and its best match; click to pin it.</div>
        <div class="dsviz-hs-pair">
          <figure><canvas class="dsviz-hs-a" width="${28 * SCALE}" height="${28 * SCALE}"></canvas>
            <figcaption class="dsviz-hs-cap-a">&nbsp;</figcaption></figure>
          <div class="dsviz-hs-arrow">&rarr;</div>
          <figure><canvas class="dsviz-hs-b" width="${28 * SCALE}" height="${28 * SCALE}"></canvas>
            <figcaption class="dsviz-hs-cap-b">&nbsp;</figcaption></figure>
        </div>
        <div class="dsviz-hs-mass">&nbsp;</div>
        <div class="dsviz-hs-pinned"></div>
      </div>
    </div>`;
  const img = new Image();
  const sprite = { img, cols: data.sprite_cols, tile: data.sprite_tile };
  img.src = data.sprite;
  return { sprite, plot: root.querySelector(".dsviz-hs-plot"), panel: root.querySelector(".dsviz-hs-panel") };
}

function show(state, data, g, pinned) {
  const { panel, sprite } = state;
  const p = describe(data, g);
  drawTile(panel.querySelector(".dsviz-hs-a"), sprite, g);
  drawTile(panel.querySelector(".dsviz-hs-b"), sprite, p.best);
  panel.querySelector(".dsviz-hs-cap-a").textContent = `${p.dataset}: ${p.cls}`;
  if (p.best >= 0) {
    const q = describe(data, p.best);
    panel.querySelector(".dsviz-hs-cap-b").textContent = `${q.dataset}: ${q.cls}`;
    const own = p.side === 0 ? data.n_src : data.n_tgt;
    panel.querySelector(".dsviz-hs-mass").textContent =
      `coupling mass ${p.mass.toExponential(2)} (${(p.mass * own * 100).toFixed(0)}% of this point's mass)`;
  } else {
    panel.querySelector(".dsviz-hs-cap-b").textContent = "no match";
    panel.querySelector(".dsviz-hs-mass").textContent = "this point sends no mass";
  }
  panel.dataset.hoverIndex = String(g);
  panel.dataset.matchIndex = String(p.best);
  panel.classList.toggle("dsviz-hs-is-pinned", !!pinned);
  panel.querySelector(".dsviz-hs-pinned").textContent = pinned ? "pinned (click another point to move the pin)" : "";
  const hl = data.highlight_trace;
  if (hl >= 0 && window.Plotly) {
    const xs = [data.x[g]], ys = [data.y[g]];
    if (p.best >= 0) { xs.push(data.x[p.best]); ys.push(data.y[p.best]); }
    window.Plotly.restyle(state.plot, { x: [xs], y: [ys] }, [hl]);
  }
}

// A view is drawn again when its figure or its plotly config (e.g. the toolbar's PNG/SVG choice) changes.
function viewKey(data) {
  return data.view_id + JSON.stringify(data.config || {});
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let root = parentElement.querySelector(".dsviz-hs-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "dsviz-hs-root";
    parentElement.appendChild(root);
  }
  if (root.__dsviz && root.__dsviz.viewId === viewKey(data)) {
    const st = root.__dsviz;
    if (data.pinned !== null && data.pinned !== undefined && data.pinned >= 0) show(st, data, data.pinned, true);
    return;
  }
  const state = build(root, data);
  state.viewId = viewKey(data);
  root.__dsviz = state;
  let pinned = data.pinned !== null && data.pinned !== undefined && data.pinned >= 0 ? data.pinned : -1;
  loadPlotly()
    .then((Plotly) => {
      const fig = JSON.parse(data.figure);
      return Plotly.newPlot(state.plot, fig.data, fig.layout, { ...data.config, responsive: true });
    })
    .then((gd) => {
      root.dataset.ready = "1";
      if (pinned >= 0) show(state, data, pinned, true);
      gd.on("plotly_hover", (ev) => {
        const pt = ev.points && ev.points[0];
        if (!pt || pt.customdata === undefined || pt.customdata === null) return;
        show(state, data, Number(pt.customdata), false);
      });
      gd.on("plotly_unhover", () => {
        if (pinned >= 0) show(state, data, pinned, true);
      });
      gd.on("plotly_click", (ev) => {
        const pt = ev.points && ev.points[0];
        if (!pt || pt.customdata === undefined || pt.customdata === null) return;
        pinned = Number(pt.customdata);
        show(state, data, pinned, true);
        setStateValue("pinned", pinned);
      });
    })
    .catch((err) => {
      state.plot.textContent = "Could not draw the chart: " + err;
    });
}
