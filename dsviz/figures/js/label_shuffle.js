// Label shuffle: two labeled 2-D clouds, their OTDD coupling, OT and OTDD, and OTDD against
// B's shuffle fraction, all solved here on every slider move (dsviz/figures/label_shuffle.py
// says why; js/emd.js is the exact solver). Mirrors dsviz.studies.toy / dsviz.otdd.compute_otdd:
// rotation about the centroid, squared Euclidean feature cost, label distances W2^2 between the
// class clouds (exact OT, uniform weights), OTDD = exact OT with cost ||x - x'||^2 + W2^2(y, y').
(function () {
  "use strict";
  const CLASS_COLORS = ["#1f77b4", "#2ca02c"];
  const SYMBOLS = { A: "circle", B: "diamond" };
  const COUPLING = "rgb(90, 90, 90)";

  function rotate(points, degrees) {
    const n = points.length;
    let cx = 0, cy = 0;
    for (const [x, y] of points) { cx += x; cy += y; }
    cx /= n; cy /= n;
    const t = degrees * Math.PI / 180, c = Math.cos(t), s = Math.sin(t);
    return points.map(([x, y]) => [cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c]);
  }

  function featureCost(a, b) {
    const m = a.length, n = b.length, cost = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      const [x, y] = a[i];
      for (let j = 0; j < n; j++) {
        const dx = x - b[j][0], dy = y - b[j][1];
        cost[i * n + j] = dx * dx + dy * dy;
      }
    }
    return cost;
  }

  function present(labels) {
    return Array.from(new Set(labels)).sort((p, q) => p - q);
  }

  // OTDD and its parts for clouds a, b (already rotated) with labels la, lb; `cost` = featureCost(a, b).
  function otdd(cost, n1, n2, la, lb) {
    const emd = window.dsvizEmd;
    const ca = present(la), cb = present(lb);
    const rowsOf = ca.map((c) => la.flatMap((l, i) => (l === c ? [i] : [])));
    const colsOf = cb.map((c) => lb.flatMap((l, j) => (l === c ? [j] : [])));
    const w = rowsOf.map((rows) => colsOf.map((cols) => {
      const block = new Float64Array(rows.length * cols.length);
      rows.forEach((i, p) => cols.forEach((j, q) => { block[p * cols.length + q] = cost[i * n2 + j]; }));
      return emd.emdUniform(block, rows.length, cols.length).value;
    }));
    const ka = la.map((l) => ca.indexOf(l)), kb = lb.map((l) => cb.indexOf(l));
    const full = new Float64Array(n1 * n2);
    for (let i = 0; i < n1; i++) for (let j = 0; j < n2; j++) full[i * n2 + j] = cost[i * n2 + j] + w[ka[i]][kb[j]];
    const plan = emd.emdUniform(full, n1, n2);
    return { otdd: plan.value, w, ca, cb, plan };
  }

  function couplingTraces(a, b, plan) {
    const top = Math.max(...plan.mass);
    const levels = [0.15, 0.3, 0.45, 0.6];
    const xs = levels.map(() => []), ys = levels.map(() => []);
    plan.rows.forEach((i, k) => {
      const level = Math.min(levels.length - 1, Math.floor((plan.mass[k] / top) * levels.length - 1e-9));
      xs[level].push(a[i][0], b[plan.cols[k]][0], null);
      ys[level].push(a[i][1], b[plan.cols[k]][1], null);
    });
    return levels.map((opacity, k) => ({
      type: "scatter", x: xs[k], y: ys[k], mode: "lines", line: { color: COUPLING, width: 1 }, opacity,
      hoverinfo: "skip", name: "coupling", legendgroup: "coupling", showlegend: k === levels.length - 1,
    }));
  }

  function pointTraces(name, points, labels, classes) {
    return classes.map((label) => {
      const picked = points.filter((_, i) => labels[i] === label);
      return {
        type: "scatter", x: picked.map((p) => p[0]), y: picked.map((p) => p[1]), mode: "markers",
        marker: { color: CLASS_COLORS[label % CLASS_COLORS.length], symbol: SYMBOLS[name], size: 7 * window.dsvizFigureKit.markerScale, line: { color: "white", width: 0.5 } },
        name: `${name} · class ${label}`, hovertemplate: `${name}, class ${label}<br>(%{x:.2f}, %{y:.2f})<extra></extra>`,
      };
    });
  }

  window.dsvizFigures.label_shuffle = function (root, payload, kit) {
    const { el } = kit;
    const fractions = payload.fractions;
    const index = (f) => Math.max(0, Math.min(fractions.length - 1, Math.round(f / (fractions[1] - fractions[0]))));
    const view = { ...payload.initial };
    const costs = new Map(); // "rot_a|rot_b" -> {a, b, cost, ot}
    const solved = new Map(); // "rot_a|shuffle_a|rot_b|shuffle_b" -> otdd result

    function geometry(rotA, rotB) {
      const key = rotA + "|" + rotB;
      if (!costs.has(key)) {
        const a = rotate(payload.points_a, rotA), b = rotate(payload.points_b, rotB);
        const cost = featureCost(a, b);
        costs.set(key, { a, b, cost, ot: window.dsvizEmd.emdUniform(cost, a.length, b.length).value });
        if (costs.size > 64) costs.delete(costs.keys().next().value);
      }
      return costs.get(key);
    }

    function solve(v) {
      const key = [v.rot_a, v.shuffle_a, v.rot_b, v.shuffle_b].join("|");
      if (!solved.has(key)) {
        const g = geometry(v.rot_a, v.rot_b);
        const la = payload.labels_a[index(v.shuffle_a)], lb = payload.labels_b[index(v.shuffle_b)];
        const t0 = performance.now();
        const r = otdd(g.cost, g.a.length, g.b.length, la, lb);
        // the solve's own time, kept with its result: a setting the curve already solved is read back, not re-solved
        solved.set(key, { ...r, ot: g.ot, la, lb, g, ms: performance.now() - t0 });
        if (solved.size > 2048) solved.delete(solved.keys().next().value);
      }
      return solved.get(key);
    }

    // layout: controls, then clouds beside the numbers, then the curve
    const controls = el("div", { class: "dsviz-controls" });
    const row = el("div", { class: "dsviz-row" });
    // The clouds of the view on screen and of its neighbouring settings, each drawn in its own pane, stacked:
    // a key press that reaches a drawn neighbour only swaps panes. Only the pane on screen carries the class names.
    const cloudsDiv = el("div", { style: "flex: 3; min-width: 420px; height: 520px; position: relative" });
    const side = el("div", { class: "dsviz-metrics" });
    const curveTitle = el("h3", {}, ["Distance vs. label shuffle"]);
    const curveDiv = el("div", { class: "dsviz-plot dsviz-curve", style: "height: 340px" });
    root.append(controls, row, curveTitle, curveDiv,
      el("div", { class: "dsviz-caption" }, [
        "Dataset B's shuffle fraction runs from 0 to 1 while everything else stays as set above; the stars mark " +
        "the current setting. OT is flat because it never sees labels; OTDD follows how well B's classes line " +
        "up with A's. Every value is solved in this browser (exact OT), no server involved.",
      ]));
    row.append(cloudsDiv, side);
    const mOtdd = kit.metric(side, "otdd", "OTDD", 3, "");
    const mOt = kit.metric(side, "ot", "OT", 3, "");
    side.append(el("div", { class: "dsviz-metric-label" }, ["W₂²(P_y, P_y′) between classes"]));
    const tableDiv = el("div", {});
    const timing = el("div", { class: "dsviz-caption", "data-role": "timing" });
    side.append(tableDiv, el("div", { class: "dsviz-caption" }, ["Grey lines: the OTDD coupling, darker for more transported mass."]), timing);

    const format = { rot_a: (v) => v + "°", rot_b: (v) => v + "°", shuffle_a: (v) => v.toFixed(2), shuffle_b: (v) => v.toFixed(2) };
    const boxA = el("div", { class: "dsviz-control-group" }, [el("strong", {}, ["Dataset A ● circles"])]);
    const boxB = el("div", { class: "dsviz-control-group" }, [el("strong", {}, ["Dataset B ◆ diamonds"])]);
    controls.append(boxA, boxB);
    for (const name of ["rot_a", "shuffle_a", "rot_b", "shuffle_b"]) {
      const spec = payload.controls[name];
      kit.range(name.endsWith("_a") ? boxA : boxB, { ...spec, name, value: view[name], format: format[name] }, (value) => {
        view[name] = value;
        schedule();
      });
    }

    const config = kit.plotlyConfig("dsviz-label-shuffle-clouds");
    const curveConfig = kit.plotlyConfig("dsviz-label-shuffle-curve");
    const schedule = kit.scheduler(root, () => redraw());

    let Plotly = null;
    const PANE = "position: absolute; top: 0; left: 0; right: 0; bottom: 0";
    const HIDDEN = PANE + "; visibility: hidden; pointer-events: none";
    const panes = new Map(); // setting key -> {div, drawn}
    let shown = null;
    const settingKey = (v) => [v.rot_a, v.shuffle_a, v.rot_b, v.shuffle_b].join("|");

    // The clouds and coupling of setting v, drawn (hidden) unless they are already.
    function pane(v) {
      const key = settingKey(v);
      if (panes.has(key)) return panes.get(key);
      const r = solve(v);
      const div = el("div", { style: HIDDEN });
      cloudsDiv.append(div);
      const data = [...couplingTraces(r.g.a, r.g.b, r.plan), ...pointTraces("A", r.g.a, r.la, payload.classes),
        ...pointTraces("B", r.g.b, r.lb, payload.classes)];
      const layout = {
        xaxis: { range: [-6, 6], zeroline: false }, yaxis: { range: [-5, 5], zeroline: false, scaleanchor: "x", scaleratio: 1 },
        margin: { l: 30, r: 10, t: 40, b: 30 }, legend: { orientation: "h", yanchor: "bottom", y: 1.0, xanchor: "left", x: 0 },
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      };
      const entry = { div, drawn: Plotly.react(div, data, layout, config) };
      // a zoom or pan on the pane on screen carries over to the panes shown after it
      div.on("plotly_relayout", () => {
        if (shown === entry) zoom = { x: [...div.layout.xaxis.range], y: [...div.layout.yaxis.range] };
      });
      panes.set(key, entry);
      return entry;
    }

    let zoom = null; // the axis ranges the viewer last set on the clouds
    function show(entry) {
      if (shown === entry) return;
      if (shown) { shown.div.setAttribute("style", HIDDEN); shown.div.classList.remove("dsviz-plot", "dsviz-clouds"); }
      entry.div.setAttribute("style", PANE);
      entry.div.classList.add("dsviz-plot", "dsviz-clouds");
      shown = entry;
      const { xaxis, yaxis } = entry.div.layout;
      if (zoom && (String(xaxis.range) !== String(zoom.x) || String(yaxis.range) !== String(zoom.y))) {
        Plotly.relayout(entry.div, { "xaxis.range": zoom.x, "yaxis.range": zoom.y });
      }
    }

    function redraw() {
      const v = { ...view };
      const r = solve(v);
      mOtdd.set(r.otdd);
      mOt.set(r.ot);
      kit.matrixTable(tableDiv, "label_distance", r.ca.map((c) => `A · class ${c}`), r.cb.map((c) => `B · class ${c}`), r.w, 2);
      timing.textContent = `OTDD solved in this browser in ${r.ms.toFixed(1)} ms.`;
      const token = ++backgroundToken;
      root.dataset.curveReady = "0";
      root.dataset.idle = "0";
      const entry = pane(v);
      show(entry);
      const done = kit.drawn(root, [entry.drawn]);
      kit.changed(root, v);
      // the curve, then the neighbouring settings, in later tasks once the clouds are painted
      done.then(() => setTimeout(() => background(v, token), 0));
      return done;
    }

    // Background work after a redraw, one solve or one pane per task so a key press waits for at most one:
    // B's shuffle curve for this view, then the settings one step away on every slider, solved and drawn, so
    // the next press finds its pane ready and only swaps it in. Panes of other settings are let go.
    let backgroundToken = 0;
    function neighbours(v) {
      const out = [];
      for (const name of ["rot_b", "shuffle_b", "rot_a", "shuffle_a"]) {
        const spec = payload.controls[name];
        for (const sign of [1, -1]) {
          const value = Math.round((v[name] + sign * spec.step) * 1e6) / 1e6;
          if (value >= spec.min && value <= spec.max) out.push({ ...v, [name]: value });
        }
      }
      return out;
    }
    function background(v, token) {
      curve(v, token, () => {
        const queue = neighbours(v);
        const keep = new Set([settingKey(v), ...queue.map(settingKey)]);
        for (const [key, entry] of panes) {
          if (!keep.has(key)) { Plotly.purge(entry.div); entry.div.remove(); panes.delete(key); }
        }
        const step = () => {
          if (token !== backgroundToken) return; // a newer view took over
          if (queue.length === 0) { root.dataset.idle = "1"; return; }
          if (solved.has(settingKey(queue[0]))) pane(queue.shift()); else solve(queue[0]);
          setTimeout(step, 0);
        };
        setTimeout(step, 0);
      });
    }

    // the curve over B's shuffle, filled in one point per task so slider moves stay answered first
    const curveValues = new Map(); // "rot_a|shuffle_a|rot_b" -> {ot, otdd: [...]}
    function curveKey(v) { return [v.rot_a, v.shuffle_a, v.rot_b].join("|"); }
    function drawCurve(v, r) {
      const c = curveValues.get(curveKey(v)) || { otdd: [] };
      const xs = fractions.slice(0, c.otdd.length);
      const top = Math.max(r.otdd, r.ot, ...c.otdd);
      const data = [
        { type: "scatter", x: xs, y: xs.map(() => r.ot), mode: "lines+markers", line: { color: "rgb(120,120,120)", dash: "dash", width: 2 }, marker: { size: 6 * kit.markerScale }, name: "OT", hovertemplate: "OT = %{y:.3f} at shuffle %{x:.2f}<extra></extra>" },
        { type: "scatter", x: [v.shuffle_b], y: [r.ot], mode: "markers", marker: { size: 14 * kit.markerScale, color: "rgb(120,120,120)", symbol: "star", line: { color: "black", width: 1 } }, showlegend: false, name: "OT now" },
        { type: "scatter", x: xs, y: c.otdd, mode: "lines+markers", line: { color: "#d62728", width: 2 }, marker: { size: 6 * kit.markerScale }, name: "OTDD", hovertemplate: "OTDD = %{y:.3f} at shuffle %{x:.2f}<extra></extra>" },
        { type: "scatter", x: [v.shuffle_b], y: [r.otdd], mode: "markers", marker: { size: 14 * kit.markerScale, color: "#d62728", symbol: "star", line: { color: "black", width: 1 } }, showlegend: false, name: "OTDD now" },
      ];
      const layout = {
        xaxis: { title: { text: "fraction of dataset B's labels shuffled" }, range: [-0.03, 1.03] },
        yaxis: { title: { text: "distance (squared units)" }, range: [0, 1.1 * top] },
        margin: { l: 60, r: 10, t: 30, b: 50 }, legend: { orientation: "h", yanchor: "bottom", y: 1.0, xanchor: "left", x: 0 },
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      };
      if (c.otdd.length > 0) mOtdd.note(`${r.otdd - c.otdd[0] >= 0 ? "+" : ""}${(r.otdd - c.otdd[0]).toFixed(3)} vs. B unshuffled`);
      return Plotly.react(curveDiv, data, layout, curveConfig);
    }

    function curve(v, token, then) {
      const key = curveKey(v);
      if (!curveValues.has(key)) curveValues.set(key, { otdd: [] });
      const c = curveValues.get(key);
      let starred = false;
      const step = () => {
        if (token !== backgroundToken) return; // a newer view took over
        if (!starred) { starred = true; drawCurve(view, solve(view)); setTimeout(step, 0); return; }
        if (c.otdd.length === fractions.length) { root.dataset.curveReady = "1"; then(); return; }
        c.otdd.push(solve({ ...v, shuffle_b: fractions[c.otdd.length] }).otdd);
        if (c.otdd.length === fractions.length || c.otdd.length % 3 === 0) drawCurve(view, solve(view));
        setTimeout(step, 0);
      };
      setTimeout(step, 0);
    }

    kit.plotly().then((P) => { Plotly = P; redraw(); }).catch((err) => { root.textContent = "Could not draw the figure: " + err; });
  };
})();
