"""dsviz: compute package behind the dataset-similarity app.

Pure compute: arrays in, arrays/dataclasses out. No Streamlit import anywhere
in this package (a test enforces it).

The package's face is a small API on plain arrays; ``import dsviz`` stays light
(torch and POT load on the first call):

* :func:`distance`: a registered method's distance between two labeled datasets;
* :func:`methods`: the registered methods, their sources and default settings;
* :func:`load`: a sample of a named dataset as ``(images, labels)``.

Examples
--------
>>> import dsviz
>>> x_a, y_a = dsviz.load("digits", split="test", n=500, seed=0)
>>> x_b, y_b = dsviz.load("mnist-5k", n=500, seed=0)
>>> d = dsviz.distance(x_a, y_a, x_b, y_b, method="otdd-exact", outer="exact")
>>> [m["name"] for m in dsviz.methods()][:2]
['otdd-exact', 'otdd-gaussian']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from dsviz.methods import Distance

__version__ = "0.1.0"

__all__ = ["__version__", "distance", "load", "methods"]


def distance(
    x_a: np.ndarray,
    y_a: np.ndarray,
    x_b: np.ndarray,
    y_b: np.ndarray,
    method: str = "otdd-exact",
    *,
    device: str = "auto",
    **settings: Any,
) -> Distance:
    """Distance between two labeled datasets given as arrays, by a registered method.

    The same computation as the registry (``dsviz.methods``) and the CLI
    (``python -m dsviz distance``): for the same images, labels and settings the value is
    the same. Nothing is cached.

    Parameters
    ----------
    x_a, x_b : numpy.ndarray
        Either images, integer N x H x W with values in 0..255 (``uint8`` as
        :func:`load` returns them; both datasets the same H x W), or float feature rows
        N x D (both the same D), used as given. Feature rows work with the methods
        defined on feature vectors (``otdd-exact``, ``otdd-gaussian``, ``sotdd``);
        the others (SimEx, AAD, sample MSE) need 28 x 28 images.
    y_a, y_b : array_like
        One label per row of ``x_a`` / ``x_b``, of any sortable type (ints, strings).
        Classes are the sorted distinct labels of each dataset, named ``str(label)``.
    method : str, default "otdd-exact"
        A registered method name; see :func:`methods`.
    device : {"auto", "cpu", "cuda", "cuda:N"}, default "auto"
        Torch device for the methods that use one.
    **settings
        Fields of the method's settings dataclass (``dsviz.methods.get(method).settings``),
        e.g. ``outer="exact"`` for OTDD or ``n_projections=1000`` for s-OTDD; the others
        keep their defaults. ``normalize`` applies to images only.

    Returns
    -------
    dsviz.methods.Distance
        ``value`` (the method's own scale: compare rankings, not values, across methods),
        ``seconds``, ``settings`` (all fields, as a dict) and ``detail``, the
        method-specific result (for OTDD a :class:`dsviz.otdd.OTDDResult` with label
        distances, class coupling and each point's partners).

    Raises
    ------
    ValueError
        Unknown method or setting, arrays of the wrong shape or type, labels that do not
        match the rows, non-finite values, or feature rows for a method that needs images.

    Examples
    --------
    >>> import numpy as np, dsviz
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(40, 3))
    >>> y = np.arange(40) % 2
    >>> dsviz.distance(x, y, x, y, method="otdd-exact", outer="exact").value
    0.0
    """
    from dsviz.data import LabeledImages
    from dsviz.data.validation import check_same_width
    from dsviz.methods import get

    m = get(method)
    config = _settings(m, settings)
    (x_a, codes_a, classes_a), (x_b, codes_b, classes_b) = _checked(x_a, y_a, "a"), _checked(x_b, y_b, "b")
    check_same_width(x_a, x_b, "x_a", "x_b")
    if x_a.ndim == 2:
        if m.features is None:
            raise ValueError(f"{m.name} needs images (N x 28 x 28, uint8), not feature rows")
        if "normalize" in settings:
            raise ValueError("normalize applies to images; feature rows are used as given")
        return m.features(x_a, codes_a, x_b, codes_b, config, classes1=classes_a, classes2=classes_b, device=device)
    if m.features is None and x_a.shape[1:] != (28, 28):
        raise ValueError(f"{m.name} needs 28 x 28 images, got {x_a.shape[1]} x {x_a.shape[2]}")
    src = LabeledImages("a", x_a, codes_a, classes_a, "array", "array")
    tgt = LabeledImages("b", x_b, codes_b, classes_b, "array", "array")
    return m.compute(src, tgt, config, device=device)


def load(name: str, split: str = "train", n: int | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A sample of a named dataset as plain arrays.

    The same sample that ``python -m dsviz distance NAME ... --n N --seed SEED --split SPLIT``
    and the pages draw: class-balanced, seeded.

    Parameters
    ----------
    name : str
        A registered dataset (``python -m dsviz datasets``: ``mnist``, ``usps``, the bundled
        ``digits`` and ``mnist-5k``, ...), a derived one (``mnist-rotated``,
        ``mnist-background``) or a path to an ``.npz`` with ``images`` and ``labels``.
        Registered datasets missing from the data folder are downloaded.
    split : {"train", "test"}, default "train"
        The split to read; when only the other one exists it is used.
    n : int, optional
        Number of images, drawn class-balanced; ``None`` (default) for all of them.
    seed : int, default 0
        Seed of the draw.

    Returns
    -------
    images : numpy.ndarray
        uint8, N x 28 x 28, 0 = background.
    labels : numpy.ndarray
        int64, N, class indices. Class names, the split used and the source file are on
        :func:`dsviz.data.load`'s :class:`~dsviz.data.LabeledImages`.

    Raises
    ------
    dsviz.data.DataError
        Unknown name, unreadable or invalid file, or a dataset that is absent and cannot
        be downloaded (a ``ValueError``'s sibling: both end the CLI with one line).
    """
    from dsviz.methods import load_sample

    sample = load_sample(name, n, seed, split)
    return sample.images, sample.labels


def __getattr__(name: str) -> Any:
    """``dsviz.methods`` (callable: ``dsviz.methods()`` lists the registered methods) and the other
    subpackages, imported on first access."""
    if name in ("methods", "data", "otdd", "simex", "studies", "runtime", "figures", "commands"):
        return importlib.import_module(f"dsviz.{name}")
    raise AttributeError(f"module 'dsviz' has no attribute {name!r}")


def _settings(method, values: dict[str, Any]):
    """``method``'s settings dataclass with ``values``; a ValueError naming the fields otherwise."""
    try:
        return method.settings(**values)
    except TypeError:
        fields = ", ".join(method.settings_dict()) or "none"
        raise ValueError(f"{method.name} settings are {fields}; got {', '.join(values)}") from None


def _checked(x, y, side: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Rows (uint8 images or float64 features) of one dataset, its label codes 0..K-1 and class names."""
    import numpy as np

    from dsviz.data.validation import check_array, check_labels

    x = check_array(x, f"x_{side}", ndim=(2, 3), expected="images N x H x W or feature rows N x D", dtype=None)
    y = check_labels(y, len(x), f"y_{side}", f"x_{side}")
    if x.ndim == 3:
        if x.dtype.kind == "f":
            raise ValueError(
                f"x_{side}: float images are ambiguous; pass uint8 images (0..255) or feature rows "
                f"x_{side}.reshape(len(x_{side}), -1)"
            )
        if x.min() < 0 or x.max() > 255:
            raise ValueError(f"x_{side}: pixel values span [{x.min()}, {x.max()}]; images must be in 0..255")
        x = x.astype(np.uint8, copy=False)
    else:
        x = x.astype(np.float64, copy=False)
    try:
        values, codes = np.unique(y, return_inverse=True)
    except TypeError as exc:
        raise ValueError(f"y_{side}: labels cannot be sorted ({exc})") from None
    return x, codes.astype(np.int64).reshape(-1), tuple(str(v) for v in values)
