"""Debiased Sinkhorn divergence with epsilon-scaling, on blocked (never whole) cost matrices.

This is the outer solver of the authors' code (microsoft/otdd,
``DatasetDistance.distance``: ``geomloss.SamplesLoss("sinkhorn", p=2,
blur=entreg ** (1/2), debias=True)``, default ``entreg = 0.1``, ``scaling = 0.5``),
i.e. Feydy's symmetric Sinkhorn loop with epsilon-scaling (J. Feydy, "Geometric
data analysis, beyond convolutions", PhD thesis 2020, Sec. 3.3.3, Alg. 3.5;
Feydy et al., "Interpolating between OT and MMD using Sinkhorn divergences",
AISTATS 2019):

    S_eps(a, b) = OT_eps(a, b) - 1/2 OT_eps(a, a) - 1/2 OT_eps(b, b),

computed from the dual potentials as <a, f_ba - f_aa> + <b, g_ab - g_bb>.

Why not call geomloss: its public API takes a cost *function* that it evaluates
on the whole n x m matrix (``backend="tensorized"``) or needs KeOps
(``"online"``), which compiles C++ at first use. Our cost ``||x - x'||^2 +
W[y, y']`` is evaluated here row block by row block (one matrix product per
block, BLAS), cached while it fits a memory budget and recomputed otherwise,
so the memory stays bounded at any n.

Cost convention: the authors' cost is ``(||x - x'||^2 + W) / 2`` (geomloss's
``p = 2`` cost halves); ours is not halved, so we run the same loop with every
temperature doubled, which returns exactly twice their divergence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from dsviz.runtime.threads import map_split, split_range

# The authors' default entropic regularisation and geomloss's default scaling.
AUTHORS_ENTREG = 0.1
AUTHORS_SCALING = 0.5
# Cost matrices are kept in memory up to this many bytes in total; beyond, rows are recomputed.
DEFAULT_CACHE_BYTES = 2 * 1024**3
# Elements per row block: the temporaries of one block (2 MB in float32) stay in a core's cache
# between the passes of a log-sum-exp (measured: 128 rows of 5000 sweep 20 % faster than 800).
BLOCK_ELEMENTS = 1 << 19


class BlockedCost:
    """``C_ij = ||x_i - y_j||^2 + W[cx_i, cy_j]`` served by row blocks.

    ``x`` (n x d), ``y`` (m x d) float32; ``w`` (K1 x K2) label distances or None
    (feature cost only); ``cx``, ``cy`` class codes. When ``cache`` is true the
    matrix is built once (still block by block); otherwise every request recomputes
    its block with one matrix product.
    """

    def __init__(self, x, y, cx=None, cy=None, w=None, cache: bool = True, full: torch.Tensor | None = None):
        self.x, self.y = x, y
        self.sx = (x * x).sum(1)
        self.sy = (y * y).sum(1)
        self.cx, self.cy, self.w = cx, cy, w
        self.shape = (x.shape[0], y.shape[0])
        self.block_rows = max(1, BLOCK_ELEMENTS // max(1, self.shape[1]))
        self._full = full
        if cache and full is None:
            self._full = torch.empty(self.shape, dtype=x.dtype, device=x.device)

            def fill(span: tuple[int, int]) -> None:
                for start, stop in self.blocks(*span):
                    self._full[start:stop] = self._compute(start, stop)

            map_split(fill, self.spans())

    def transposed(self) -> BlockedCost:
        """The cost ``C^T`` (y against x), cached as a contiguous copy when ``C`` is cached."""
        w = None if self.w is None else self.w.T
        full = None if self._full is None else self._full.T.contiguous()
        return BlockedCost(self.y, self.x, self.cy, self.cx, w, cache=full is not None, full=full)

    def blocks(self, first: int = 0, last: int | None = None):
        """Row blocks ``(start, stop)`` covering rows ``first .. last - 1`` (default: all)."""
        last = self.shape[0] if last is None else last
        for start in range(first, last, self.block_rows):
            yield start, min(start + self.block_rows, last)

    def spans(self) -> list[tuple[int, int]]:
        """The rows cut into one contiguous span per CPU thread (:func:`dsviz.runtime.threads.map_split`);
        one span on a GPU, whose own kernels use the whole device."""
        parts = torch.get_num_threads() if self.x.device.type == "cpu" else 1
        return split_range(self.shape[0], parts)

    def _compute(self, start: int, stop: int) -> torch.Tensor:
        c = torch.addmm(self.sy[None, :], self.x[start:stop], self.y.T, alpha=-2.0)
        c.add_(self.sx[start:stop, None]).clamp_min_(0.0)
        if self.w is not None:
            c.add_(self.w[self.cx[start:stop]][:, self.cy])
        return c

    def rows(self, start: int, stop: int) -> torch.Tensor:
        return self._full[start:stop] if self._full is not None else self._compute(start, stop)

    @property
    def nbytes(self) -> int:
        return self.shape[0] * self.shape[1] * self.x.element_size()


# exp() of float32 arguments below about -87 leaves the vectorised fast path (its
# results underflow to subnormals or 0): measured 4-5x slower per entry on this CPU.
# Terms more than EXP_FLOOR below the row maximum weigh < e^-80 ~ 2e-35 of it in a
# log-sum-exp, far below float32 resolution, so clamping them there changes nothing.
EXP_FLOOR = -80.0


def _lse_rows(cost: BlockedCost, eps: float, h: torch.Tensor) -> torch.Tensor:
    """``LSE_j(h_j - C_ij / eps)`` for every row i, one row block at a time.

    Row reductions only (contiguous memory); column reductions are done as row
    reductions of the transposed cost (:meth:`BlockedCost.transposed`), several
    times faster than reducing over the rows of a block.
    """
    out = torch.empty(cost.shape[0], dtype=cost.x.dtype, device=cost.x.device)

    def sweep(span: tuple[int, int]) -> None:
        for start, stop in cost.blocks(*span):
            t = torch.add(h[None, :], cost.rows(start, stop), alpha=-1.0 / eps)
            row_max = t.amax(1)
            t.sub_(row_max[:, None]).clamp_min_(EXP_FLOOR).exp_()
            out[start:stop] = row_max + t.sum(1).log_()

    map_split(sweep, cost.spans())
    return out


def epsilon_schedule(diameter: float, blur: float, scaling: float) -> list[float]:
    """geomloss's annealing schedule for p = 2: diameter^2, then / scaling^2 per step, down to blur^2."""
    p = 2
    return (
        [diameter**p]
        + [float(np.exp(e)) for e in np.arange(p * np.log(diameter), p * np.log(blur), p * np.log(scaling))]
        + [blur**p]
    )


@dataclass
class SinkhornSolution:
    """Dual potentials (on the cost in use) and the divergence they give."""

    f_ba: torch.Tensor
    g_ab: torch.Tensor
    f_aa: torch.Tensor
    g_bb: torch.Tensor
    eps: float
    value: float
    iterations: int

    def plan(self, cost: BlockedCost) -> torch.Tensor:
        """Coupling of the cross problem, ``a_i b_j exp((f_i + g_j - C_ij) / eps)`` (dense n x m).

        As in the authors' code (``coupling_method="geomloss"``) the plan comes from
        the dual potentials; f is first recomputed as the soft c-transform of g, so
        every row carries exactly its mass ``a_i`` (the fixed number of
        epsilon-scaling steps leaves the two marginals only approximately met).
        """
        n, m = cost.shape
        b_log = -float(np.log(m))
        rows = _lse_rows(cost, self.eps, b_log + self.g_ab / self.eps)
        f = -self.eps * rows
        log_ab = -float(np.log(n)) + b_log
        out = torch.empty(cost.shape, dtype=cost.x.dtype, device=cost.x.device)

        def fill(span: tuple[int, int]) -> None:
            for start, stop in cost.blocks(*span):
                t = (f[start:stop, None] + self.g_ab[None, :] - cost.rows(start, stop)) / self.eps + log_ab
                out[start:stop] = torch.exp(t)

        map_split(fill, cost.spans())
        return out


def sinkhorn_divergence(
    c_xy: BlockedCost,
    c_xx: BlockedCost,
    c_yy: BlockedCost,
    diameter: float,
    blur: float,
    scaling: float = AUTHORS_SCALING,
    temperature_scale: float = 1.0,
) -> SinkhornSolution:
    """Debiased Sinkhorn divergence between uniform weights (geomloss's ``sinkhorn_loop``, balanced case).

    ``softmin(eps, C, h)_i = -eps LSE_j(h_j - C_ij / eps)``; each iteration updates
    the four potentials from the previous ones and averages (symmetric updates),
    then one last full update at the final temperature ``blur^2``. Every
    temperature is multiplied by ``temperature_scale`` (2 for a cost twice the
    authors'). ``c_xx``/``c_yy`` None: the biased ``OT_eps(a, b)`` only.
    """
    n, m = c_xy.shape
    dtype, dev = c_xy.x.dtype, c_xy.x.device
    a_log = torch.full((n,), -float(np.log(n)), dtype=dtype, device=dev)
    b_log = torch.full((m,), -float(np.log(m)), dtype=dtype, device=dev)
    eps_list = [temperature_scale * e for e in epsilon_schedule(diameter, blur, scaling)]
    debias = c_xx is not None and c_yy is not None

    c_yx = c_xy.transposed()

    def step(eps, f_ba, g_ab, f_aa, g_bb):
        rows = _lse_rows(c_xy, eps, b_log + g_ab / eps)
        cols = _lse_rows(c_yx, eps, a_log + f_ba / eps)
        if not debias:
            return -eps * rows, -eps * cols, f_aa, g_bb
        aa = _lse_rows(c_xx, eps, a_log + f_aa / eps)
        bb = _lse_rows(c_yy, eps, b_log + g_bb / eps)
        return -eps * rows, -eps * cols, -eps * aa, -eps * bb

    zeros_n = torch.zeros(n, dtype=dtype, device=dev)
    zeros_m = torch.zeros(m, dtype=dtype, device=dev)
    # Initialisation at the largest temperature (potentials 0).
    f_ba, g_ab, f_aa, g_bb = step(eps_list[0], zeros_n, zeros_m, zeros_n, zeros_m)
    for eps in eps_list:
        new = step(eps, f_ba, g_ab, f_aa, g_bb)
        f_ba, g_ab, f_aa, g_bb = (0.5 * (old + upd) for old, upd in zip((f_ba, g_ab, f_aa, g_bb), new))
    eps = eps_list[-1]
    f_ba, g_ab, f_aa, g_bb = step(eps, f_ba, g_ab, f_aa, g_bb)
    value = float((f_ba - f_aa).double().mean() + (g_ab - g_bb).double().mean())
    return SinkhornSolution(f_ba, g_ab, f_aa, g_bb, eps, value, len(eps_list) + 2)


def point_diameter(x: torch.Tensor, y: torch.Tensor, label_span: float = 0.0) -> float:
    """geomloss's ``max_diameter``: the diagonal of the joint bounding box.

    The authors feed geomloss points with the label appended as one more
    coordinate (source labels 0..K1-1, target labels K1..K1+K2-1 when debiased),
    so that coordinate's range ``label_span`` enters the box too.
    """
    lo = torch.minimum(x.min(0).values, y.min(0).values)
    hi = torch.maximum(x.max(0).values, y.max(0).values)
    return float(np.sqrt(float(((hi - lo).double() ** 2).sum()) + label_span**2))
