"""The registered dataset-distance methods, in the order they are reported.

Adding a method: write one module with its settings dataclass and its computation
(a subclass of a shape in :mod:`dsviz.methods.forms`, whose ``registered`` gives the
:class:`~dsviz.methods.base.Method`), then add one line here.
"""

from __future__ import annotations

from dsviz.methods import aad, otdd, sample_mse, simex, sotdd
from dsviz.methods.base import Method

REGISTRY: tuple[Method, ...] = (
    otdd.EXACT,
    otdd.GAUSSIAN,
    sotdd.METHOD,
    simex.MSE,
    simex.ISSIM,
    aad.METHOD,
    sample_mse.METHOD,
)
