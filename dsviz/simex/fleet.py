"""Train a fleet of autoencoders, one per part of the known data, and measure Δ.

SimEx (Hwang et al., 2020, §3): autoencoder A(Y_k) is trained on part Y_k of the
known data (one class, or one whole dataset). For data X,

    Δ(X | Y_k) = mean over x in X of loss(x, A(Y_k)(x)),

with the loss A(Y_k) was trained with; a smaller Δ means X is more similar to
Y_k. The Δ matrix here has row i = evaluated part X_i, column k = A(Y_k).

All K members train at once in one :class:`~dsviz.simex.model.FleetAutoencoder`:
at every step member k gets a minibatch of its own part, the fleet loss is the
sum of the members' mean losses (so each member's gradient is exactly its own),
and RMSprop updates element-wise, so members stay independent. The SimEx paper
(§5.5, Figure 6) found RMSprop with learning rate 2e-4 settles the Δ ordering in
the fewest epochs; those are the defaults. After every epoch Δ is re-measured on
held-out samples, so one can see how the ordering settles (:attr:`FleetRun.history`).

Guard against members that did not train (a member whose logits saturate in its first epoch,
see :meth:`~dsviz.simex.model.FleetAutoencoder.init_output_bias`): a member whose last-epoch
training loss is not clearly below the loss of the best *input-independent*
output, its training images' per-pixel mean image (for MSE that loss is the mean
pixel variance, so the ratio is 1 - R²), has learned nothing about its inputs
and its Δ column only measures distance to a mean image. Such members are listed
in :attr:`FleetRun.untrained_members`; orderings leave their columns out and
the CLI and pages report them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from dsviz.data.validation import check_shapes
from dsviz.runtime.device import resolve_device
from dsviz.runtime.progress import Progress
from dsviz.simex.losses import LOSSES, per_sample_loss
from dsviz.simex.model import FleetAutoencoder, from_state_arrays, state_arrays

LEARNING_RATE = 2e-4
"""RMSprop learning rate; SimEx §5.5 found RMSprop at 2e-4 converges fastest in ordering."""
BATCH_SIZE = 32
EVAL_BATCH = 512
UNTRAINED_RATIO = 0.97
"""A member is untrained when its last training loss is above this fraction of its mean-image loss
(no better than the mean image within 3 %; a member saturated at a black output measured 1.67)."""
CPU_THREADS: int | None = None
"""torch CPU threads while a fleet trains; ``None`` keeps torch's setting (all cores).
On an idle 2-core machine two threads train ~1.9x faster than one; when other
processes keep the cores busy, one thread was 2-4x faster than two (the threads
spin-wait on each other), hence the ``cpu_threads`` knob (bench/simex_bench.py)."""


@dataclass
class FleetRun:
    """A trained fleet and what it measured.

    Attributes:
        parts: names of the parts; member k was trained on part k, and row i of
            ``delta`` evaluates the held-out samples of part i.
        loss: ``mse`` or ``issim``.
        delta: P x K, ``delta[i, k] = Δ(X_i | Y_k)`` after the last epoch.
        history: E x P x K, Δ after each epoch (``history[-1] == delta``).
        train_loss: E x K, each member's mean training loss over each epoch.
        ref_norm: K, mean L2 norm of the training images of each member (pixels in [0, 1]).
        constant_loss: K, the loss of member k's training images against their mean
            image (the best output that ignores the input).
        seconds: wall time of training plus the per-epoch evaluations.
        weights: the fleet's state dict as arrays (:func:`~dsviz.simex.model.state_arrays`).
        settings: epochs, batch size, learning rate, samples per part, seed.
    """

    parts: tuple[str, ...]
    loss: str
    delta: np.ndarray
    history: np.ndarray
    train_loss: np.ndarray
    ref_norm: np.ndarray
    constant_loss: np.ndarray
    seconds: float
    weights: dict[str, np.ndarray] = field(repr=False)
    settings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        epochs, members = len(np.atleast_1d(self.history)), np.shape(self.delta)[-1] if np.ndim(self.delta) else 0
        check_shapes(
            "fleet",
            delta=(self.delta, (len(self.parts), members)),
            history=(self.history, (epochs, len(self.parts), members)),
        )
        if not self.weights:
            raise ValueError("fleet weights missing")

    @property
    def untrained_members(self) -> tuple[int, ...]:
        """Members whose final training loss stayed above ``UNTRAINED_RATIO`` x their mean-image loss."""
        final = self.train_loss[-1]
        return tuple(int(k) for k in np.flatnonzero(~(final < UNTRAINED_RATIO * self.constant_loss)))

    @property
    def trained_mask(self) -> np.ndarray:
        """K booleans: False for :attr:`untrained_members`."""
        mask = np.ones(len(self.constant_loss), dtype=bool)
        mask[list(self.untrained_members)] = False
        return mask

    def normalized_delta(self) -> np.ndarray:
        """Δ with column k divided by the mean L2 norm of Y_k (SimEx §5.3).

        Reconstruction errors grow with how much ink a reference dataset has;
        dividing by its mean norm puts references of different brightness on one scale.
        """
        return self.delta / self.ref_norm[None, :]

    def model(self, device: str | torch.device = "cpu") -> FleetAutoencoder:
        """The trained fleet, in eval mode."""
        return from_state_arrays(self.weights, resolve_device(device))


def to_tensor(images: np.ndarray, device: torch.device) -> torch.Tensor:
    """uint8 N x 28 x 28 -> float32 tensor in [0, 1] on ``device``."""
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"expected uint8 N x H x W images, got {images.dtype} {images.shape}")
    return torch.from_numpy(images).to(device=device, dtype=torch.float32) / 255.0


def mean_l2_norm(images: np.ndarray) -> float:
    """Mean over images of ||x||_2 with pixels in [0, 1]."""
    flat = images.reshape(len(images), -1).astype(np.float64) / 255.0
    return float(np.linalg.norm(flat, axis=1).mean())


@torch.no_grad()
def constant_output_loss(images: torch.Tensor, loss: str, limit: int = 1000) -> float:
    """Mean loss of (up to ``limit`` of) ``images`` (N x 28 x 28 in [0, 1]) against their per-pixel mean image."""
    x = images[:limit]
    return float(per_sample_loss(x, x.mean(0, keepdim=True).expand_as(x), loss).mean())


@torch.no_grad()
def evaluate_delta(model: FleetAutoencoder, parts: Sequence[torch.Tensor], loss: str) -> np.ndarray:
    """P x K matrix ``Δ(X_i | Y_k)``: mean loss of part i's images through member k."""
    model.eval()
    rows = []
    for x in parts:
        total = torch.zeros(model.members, dtype=torch.float64, device=x.device)
        for start in range(0, len(x), EVAL_BATCH):
            batch = x[start : start + EVAL_BATCH]
            recon = model.reconstruct_all(batch)
            total += per_sample_loss(batch.unsqueeze(1).expand_as(recon), recon, loss).sum(0).double()
        rows.append((total / len(x)).cpu().numpy())
    return np.stack(rows)


@torch.no_grad()
def reconstruct(model: FleetAutoencoder, images: np.ndarray, member: int) -> np.ndarray:
    """Reconstructions of uint8 ``images`` by fleet member ``member``, as uint8."""
    device = next(model.parameters()).device
    out = model.eval().reconstruct_all(to_tensor(images, device))[:, member]
    return (out * 255).round().clamp(0, 255).to(torch.uint8).cpu().numpy()


def train_fleet(
    train: Sequence[np.ndarray],
    evaluate: Sequence[np.ndarray],
    names: Sequence[str],
    *,
    loss: str = "mse",
    epochs: int = 10,
    batch_size: int = BATCH_SIZE,
    lr: float = LEARNING_RATE,
    seed: int = 0,
    device: str | torch.device = "auto",
    progress: Progress | None = None,
    cpu_threads: int | None = CPU_THREADS,
) -> FleetRun:
    r"""Train a fleet of autoencoders, one per part of the known data, and measure SimEx's Δ after each epoch.

    Autoencoder :math:`A(Y_k)` is trained on part :math:`Y_k` of the known data (one class, or one whole
    dataset) with loss :math:`\ell` ([1]_, Sec. 3); the dissimilarity of data :math:`X` to part :math:`Y_k` is
    its mean reconstruction loss under that autoencoder,

    .. math::
        \Delta(X \mid Y_k) = \frac{1}{|X|} \sum_{x \in X} \ell\big(x, A(Y_k)(x)\big), \qquad
        \ell \in \{\mathrm{MSE}, \ 1 - \mathrm{SSIM}\},

    smaller meaning more similar. All :math:`K` members train at once (grouped layers; each step gives member
    :math:`k` a minibatch of its own part and the summed loss gives each member exactly its own gradient) with
    RMSprop at learning rate 2e-4, which [1]_ (Sec. 5.5, Fig. 6) found to settle the Δ ordering in the
    fewest epochs. A member whose last-epoch training loss is not below ``UNTRAINED_RATIO`` times the loss of
    its training images' mean image (the best input-independent output) is reported as untrained
    (:attr:`FleetRun.untrained_members`).

    Parameters
    ----------
    train : sequence of K ndarrays, uint8, (N_k, 28, 28)
        The training images of each member.
    evaluate : sequence of P ndarrays, uint8
        Images whose Δ rows are measured (usually the held-out samples of the same parts, so P = K).
    names : sequence of P str
        Part names (the row labels; also the member labels when P = K).
    loss : {"mse", "issim"}, optional (default="mse")
        Used for training and for Δ (:mod:`dsviz.simex.losses`).
    epochs : int, optional (default=10)
        Passes over the largest part (smaller parts are cycled).
    batch_size : int, optional (default=32)
        Images per member per step.
    lr : float, optional (default=2e-4)
        RMSprop learning rate ([1]_, Sec. 5.5).
    seed : int, optional (default=0)
        Initial weights and minibatch order.
    device : str or torch.device, optional (default="auto")
        See :func:`dsviz.runtime.device.resolve_device`.
    progress : callable, optional (default=None)
        Called with ``(done, total, label)`` as training goes.
    cpu_threads : int, optional (default=CPU_THREADS)
        torch intra-op threads while training on a CPU (restored afterwards); None keeps torch's setting.

    Returns
    -------
    run : :class:`FleetRun`
        ``delta`` (P x K, :math:`\Delta(X_i \mid Y_k)` after the last epoch), its per-epoch ``history``, the
        members' ``train_loss`` and mean-image ``constant_loss``, the ``weights`` and ``settings``.

    Raises
    ------
    ValueError
        On an unknown loss, a member or evaluated part without images, names not matching ``evaluate``,
        or ``epochs``/``batch_size`` below 1.

    References
    ----------
    .. [1] Hwang, I., Lee, J., Liu, F., & Cho, M. (2020). SimEx: Express Prediction of Inter-dataset
        Similarity by a Fleet of Autoencoders. arXiv:2001.04893.
    """
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    if not train or any(len(t) == 0 for t in train):
        raise ValueError("every fleet member needs at least one training image")
    if len(names) != len(evaluate) or any(len(e) == 0 for e in evaluate):
        raise ValueError("need one name and at least one image per evaluated part")
    if epochs < 1 or batch_size < 1:
        raise ValueError("epochs and batch size must be >= 1")
    dev = resolve_device(device)
    previous_threads = torch.get_num_threads()
    if cpu_threads is not None and dev.type == "cpu":
        torch.set_num_threads(cpu_threads)
    try:
        return _train(train, evaluate, names, loss, epochs, batch_size, lr, seed, dev, progress)
    finally:
        torch.set_num_threads(previous_threads)


def _train(
    train: Sequence[np.ndarray],
    evaluate: Sequence[np.ndarray],
    names: Sequence[str],
    loss: str,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    dev: torch.device,
    progress: Progress | None,
) -> FleetRun:
    """The training loop of :func:`train_fleet` (arguments already checked)."""
    start = time.perf_counter()
    with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
        torch.manual_seed(seed)
        model = FleetAutoencoder(len(train)).to(dev)
    data = [to_tensor(t, dev) for t in train]
    model.init_output_bias([float(t.mean()) for t in data])
    held_out = [to_tensor(e, dev) for e in evaluate]
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=lr)
    steps = math.ceil(max(len(t) for t in data) / batch_size)
    history, train_loss = [], []
    for epoch in range(epochs):
        model.train()
        order = [_cycled_permutation(rng, len(t), steps * batch_size) for t in data]
        epoch_loss = torch.zeros(len(data), dtype=torch.float64, device=dev)
        for step in range(steps):
            sl = slice(step * batch_size, (step + 1) * batch_size)
            batch = torch.stack([t[torch.from_numpy(o[sl]).to(dev)] for t, o in zip(data, order, strict=True)], 1)
            member_loss = per_sample_loss(batch, model(batch), loss).mean(0)  # (K,)
            optimizer.zero_grad(set_to_none=True)
            member_loss.sum().backward()
            optimizer.step()
            epoch_loss += member_loss.detach().double()
            if progress is not None:
                progress(epoch * steps + step + 1, epochs * steps, "training steps")
        train_loss.append((epoch_loss / steps).cpu().numpy())
        history.append(evaluate_delta(model, held_out, loss))
    return FleetRun(
        parts=tuple(names),
        loss=loss,
        delta=history[-1],
        history=np.stack(history),
        train_loss=np.stack(train_loss),
        ref_norm=np.array([mean_l2_norm(t) for t in train]),
        constant_loss=np.array([constant_output_loss(t, loss) for t in data]),
        seconds=time.perf_counter() - start,
        weights=state_arrays(model),
        settings={
            "epochs": epochs,
            "batch_size": batch_size,
            "lr": lr,
            "seed": seed,
            "n_train_max": max(len(t) for t in train),
        },
    )


def _cycled_permutation(rng: np.random.Generator, n: int, length: int) -> np.ndarray:
    """``length`` indices into ``range(n)``: shuffled passes over all n, concatenated and cut."""
    reps = math.ceil(length / n)
    return np.concatenate([rng.permutation(n) for _ in range(reps)])[:length]
