// Exact optimal transport in the browser, for the small problems a figure solves itself.
//
// dsvizEmd.emd(cost, m, n, supply, demand) solves the transportation problem
//     min_F sum_ij F_ij C_ij  s.t.  sum_j F_ij = supply_i,  sum_i F_ij = demand_j,  F >= 0
// for integer supplies and demands with equal totals by the primal network simplex method,
// as POT's ot.emd does (Bonneel et al., "Displacement interpolation using Lagrangian mass
// transport", SIGGRAPH Asia 2011, after LEMON's NetworkSimplex; Kovacs, "Minimum-cost flow
// algorithms: an experimental evaluation", 2015): an artificial root joined to every node
// gives the first (strongly feasible) spanning tree, entering arcs are chosen by block
// search, and the leaving arc by LEMON's rule, which keeps the tree strongly feasible so
// degenerate pivots cannot cycle. The tree is kept as child lists; a pivot re-hangs the
// subtree it cuts off and updates depths and potentials there only (LEMON uses thread lists).
// The linear program's optimal value is unique, so it equals POT's up to floating-point
// rounding; the plan can differ only where several plans are optimal. Uniform weights 1/m
// and 1/n become integers n/g and m/g (g = gcd(m, n)), so every flow is an exact integer.
// Hand-written because the figure must run offline from one file, with no solver to load.
(function () {
  "use strict";

  function gcd(a, b) {
    while (b) [a, b] = [b, a % b];
    return a;
  }

  function emd(cost, m, n, supply, demand) {
    const E = m * n; // real arcs i -> m + j, index i * n + j
    const V = m + n + 1; // sources, sinks, root
    const root = m + n;
    let maxCost = 0;
    for (let e = 0; e < E; e++) maxCost = Math.max(maxCost, Math.abs(cost[e]));
    const ART = (maxCost + 1) * V; // big-M cost of the artificial arcs root -> sink
    const flow = new Float64Array(E + V);
    const inTree = new Uint8Array(E + V);
    const treeArcs = new Int32Array(V - 1); // the first spanning tree: every node's artificial arc
    const src = (a) => (a < E ? (a / n) | 0 : a - E < m ? a - E : root);
    const tgt = (a) => (a < E ? m + (a % n) : a - E < m ? root : a - E);
    const arcCost = (a) => (a < E ? cost[a] : a - E < m ? 0 : ART);
    let total = 0;
    for (let i = 0; i < m; i++) {
      flow[E + i] = supply[i];
      total += supply[i];
      treeArcs[i] = E + i;
      inTree[E + i] = 1;
    }
    for (let j = 0; j < n; j++) {
      flow[E + m + j] = demand[j];
      treeArcs[m + j] = E + m + j;
      inTree[E + m + j] = 1;
    }

    const parent = new Int32Array(V);
    const pred = new Int32Array(V); // arc to the parent
    const up = new Uint8Array(V); // 1: pred arc goes node -> parent
    const depth = new Int32Array(V);
    const pi = new Float64Array(V); // reduced cost c + pi[src] - pi[tgt] = 0 on tree arcs
    const firstChild = new Int32Array(V).fill(-1);
    const nextSib = new Int32Array(V).fill(-1);
    const prevSib = new Int32Array(V).fill(-1);
    const stack = new Int32Array(V);

    function detach(v) {
      const p = parent[v];
      if (prevSib[v] >= 0) nextSib[prevSib[v]] = nextSib[v]; else firstChild[p] = nextSib[v];
      if (nextSib[v] >= 0) prevSib[nextSib[v]] = prevSib[v];
      prevSib[v] = nextSib[v] = -1;
    }
    function attach(v, p, arc) {
      parent[v] = p;
      pred[v] = arc;
      prevSib[v] = -1;
      nextSib[v] = firstChild[p];
      if (firstChild[p] >= 0) prevSib[firstChild[p]] = v;
      firstChild[p] = v;
    }
    // depth, direction and potential of v and everything below it, from its parent's
    function settle(v) {
      let top = 0;
      stack[top++] = v;
      while (top > 0) {
        const u = stack[--top], a = pred[u], p = parent[u];
        depth[u] = depth[p] + 1;
        if (src(a) === u) { up[u] = 1; pi[u] = pi[p] - arcCost(a); } else { up[u] = 0; pi[u] = pi[p] + arcCost(a); }
        for (let c = firstChild[u]; c >= 0; c = nextSib[c]) stack[top++] = c;
      }
    }
    parent[root] = -1;
    for (let u = 0; u < m + n; u++) attach(u, root, treeArcs[u]);
    for (let u = 0; u < m + n; u++) settle(u);

    const block = Math.max(10, Math.ceil(Math.sqrt(E)));
    const tol = 1e-12 * (maxCost + 1) * V; // reduced costs above -tol count as 0 (rounding of pi ~ ART)
    let nextArc = 0;
    // block search (LEMON's BlockSearchPivotRule): the most negative reduced cost in the first block that has one
    function entering() {
      let best = -tol, found = -1, count = 0;
      for (let k = 0; k < E; k++) {
        const e = nextArc;
        nextArc = nextArc + 1 === E ? 0 : nextArc + 1;
        if (!inTree[e]) {
          const i = (e / n) | 0;
          const c = cost[e] + pi[i] - pi[m + (e - i * n)];
          if (c < best) { best = c; found = e; }
        }
        if (++count === block) {
          if (found >= 0) return found;
          count = 0;
        }
      }
      return found;
    }

    for (;;) {
      const e = entering();
      if (e < 0) break;
      const first = src(e), second = tgt(e);
      let a = first, b = second;
      while (a !== b) {
        if (depth[a] >= depth[b]) a = parent[a]; else b = parent[b];
      }
      const join = a;
      // LEMON's leaving-arc rule: strict on the first path, non-strict on the second
      let delta = Infinity, out = -1, onFirst = true;
      for (let u = first; u !== join; u = parent[u]) {
        if (up[u] && flow[pred[u]] < delta) { delta = flow[pred[u]]; out = u; onFirst = true; }
      }
      for (let u = second; u !== join; u = parent[u]) {
        if (!up[u] && flow[pred[u]] <= delta) { delta = flow[pred[u]]; out = u; onFirst = false; }
      }
      if (out < 0) throw new Error("unbounded transport problem");
      if (delta > 0) {
        flow[e] += delta;
        for (let u = first; u !== join; u = parent[u]) flow[pred[u]] += up[u] ? -delta : delta;
        for (let u = second; u !== join; u = parent[u]) flow[pred[u]] += up[u] ? delta : -delta;
      }
      // re-hang the subtree cut off at `out` from the entering arc: reverse the path q .. out
      inTree[pred[out]] = 0;
      inTree[e] = 1;
      const q = onFirst ? first : second;
      const p = onFirst ? second : first;
      let v = q, newParent = p, arc = e;
      for (;;) {
        const oldParent = parent[v], oldArc = pred[v];
        detach(v);
        attach(v, newParent, arc);
        if (v === out) break;
        newParent = v;
        arc = oldArc;
        v = oldParent;
      }
      settle(q);
    }
    for (let a = E; a < E + V - 1; a++) {
      if (flow[a] > 0) throw new Error("transport problem is infeasible (supplies and demands differ)");
    }
    let value = 0;
    const rows = [], cols = [], mass = [];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const f = flow[i * n + j];
        if (f > 0) {
          value += f * cost[i * n + j];
          rows.push(i); cols.push(j); mass.push(f / total);
        }
      }
    }
    return { value: value / total, rows, cols, mass };
  }

  // Uniform weights 1/m on the rows and 1/n on the columns.
  function emdUniform(cost, m, n) {
    const g = gcd(m, n);
    return emd(cost, m, n, new Array(m).fill(n / g), new Array(n).fill(m / g));
  }

  window.dsvizEmd = { emd, emdUniform };
})();
