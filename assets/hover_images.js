// dsviz hover images: a plotly.js chart whose hover shows, with no server round-trip,
// a panel of small images (optionally with one pixel marked) and a few lines of text.
// Panels are keyed "curveNumber:pointIndex" (heatmaps: "curve:row,col"); the images
// come from one sprite sheet sent with the view. plotly.js is served by this app
// (copied from the installed plotly package by ui/static_assets.py), never from a CDN.

const SCALE = 5;

function pointKey(pt) {
  const idx = Array.isArray(pt.pointIndex) ? pt.pointIndex.join(",") : String(pt.pointIndex);
  return pt.curveNumber + ":" + idx;
}

function drawTile(canvas, sprite, index, row, col) {
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const t = sprite.tile;
  ctx.drawImage(sprite.img, (index % sprite.cols) * t, Math.floor(index / sprite.cols) * t, t, t,
                0, 0, canvas.width, canvas.height);
  if (row >= 0 && col >= 0) {
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
}

function show(state, data, key) {
  const panel = state.panel;
  const info = data.panels[key];
  if (!info) return;
  panel.querySelector(".dsviz-hi-title").textContent = info.title;
  const row = panel.querySelector(".dsviz-hi-images");
  row.innerHTML = "";
  for (const [index, r, c, caption] of info.images) {
    const fig = document.createElement("figure");
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = data.sprite_tile * SCALE;
    const cap = document.createElement("figcaption");
    cap.textContent = caption;
    fig.appendChild(canvas);
    fig.appendChild(cap);
    row.appendChild(fig);
    const draw = () => drawTile(canvas, state.sprite, index, r, c);
    if (state.sprite.img.complete) draw(); else state.sprite.img.addEventListener("load", draw, { once: true });
  }
  const lines = panel.querySelector(".dsviz-hi-lines");
  lines.innerHTML = "";
  for (const text of info.lines) {
    const div = document.createElement("div");
    div.textContent = text;
    lines.appendChild(div);
  }
  panel.dataset.key = key;
}

// A view is drawn again when its figure or its plotly config (e.g. the toolbar's PNG/SVG choice) changes.
function viewKey(data) {
  return data.view_id + JSON.stringify(data.config || {});
}

export default function (component) {
  const { data, parentElement } = component;
  let root = parentElement.querySelector(".dsviz-hi-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "dsviz-hi-root";
    parentElement.appendChild(root);
  }
  if (root.__dsviz && root.__dsviz.viewId === viewKey(data)) return;
  root.innerHTML = `
    <div class="dsviz-hi" style="height:${data.height}px">
      <div class="dsviz-hi-plot"></div>
      <div class="dsviz-hi-panel" data-testid="hover-panel">
        <div class="dsviz-hi-hint">${data.hint}</div>
        <div class="dsviz-hi-title"></div>
        <div class="dsviz-hi-images"></div>
        <div class="dsviz-hi-lines"></div>
      </div>
    </div>`;
  const img = new Image();
  img.src = data.sprite;
  const state = {
    viewId: viewKey(data),
    sprite: { img, cols: data.sprite_cols, tile: data.sprite_tile },
    plot: root.querySelector(".dsviz-hi-plot"),
    panel: root.querySelector(".dsviz-hi-panel"),
  };
  root.__dsviz = state;
  if (data.initial) show(state, data, data.initial);
  loadPlotly()
    .then((Plotly) => {
      const fig = JSON.parse(data.figure);
      return Plotly.newPlot(state.plot, fig.data, fig.layout, { ...data.config, responsive: true });
    })
    .then((gd) => {
      root.dataset.ready = "1";
      gd.on("plotly_hover", (ev) => {
        const pt = ev.points && ev.points[0];
        if (pt) show(state, data, pointKey(pt));
      });
    })
    .catch((err) => {
      state.plot.textContent = "Could not draw the chart: " + err;
    });
}
