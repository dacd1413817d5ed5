"""LeNet-5 and its training helpers, shared by the transfer studies and the SimEx baselines.

The network is the OTDD authors' (``otdd/pytorch/nets.py::LeNet``); training is plain
Adam over seeded shuffled mini-batches, so a run is reproducible on any device
(:mod:`dsviz.runtime.device` picks it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

from dsviz.runtime import timings


class LeNet5(nn.Module):
    """The LeNet-5 of the OTDD authors' code (``otdd/pytorch/nets.py::LeNet``, 28 x 28 input).

    conv 5x5 (6) - ReLU - max-pool 2 - conv 5x5 (16) - ReLU - max-pool 2 - fc 256 -> 120 -
    ReLU - dropout 0.5 - fc 84 - ReLU - dropout 0.5 - fc ``n_classes``: LeCun et al.
    (Proc. IEEE 1998, Sec. II.B) with ReLU and max pooling in place of scaled tanh and
    trainable subsampling, no padding, and dropout in the classifier, as the authors have it.
    """

    def __init__(self, n_classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = self.new_classifier(n_classes)

    @staticmethod
    def new_classifier(n_classes: int) -> nn.Sequential:
        """A freshly initialised classifier (the authors' ``_init_classifier``, "useful for fine-tuning")."""
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 4 * 4, 120),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(84, n_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def _tensor(images: np.ndarray, device: torch.device) -> torch.Tensor:
    """uint8 N x 28 x 28 to float N x 1 x 28 x 28 standardised with the MNIST statistics."""
    x = torch.as_tensor(images, device=device).unsqueeze(1).float() / 255.0
    return (x - 0.1307) / 0.3081


def init_model(seed: int, device: torch.device, n_classes: int = 10) -> LeNet5:
    """A LeNet-5 with weights drawn from ``seed`` (the global RNG is left untouched)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LeNet5(n_classes)
    return model.to(device)


def reset_classifier(model: LeNet5, seed: int, n_classes: int) -> LeNet5:
    """Replace the classifier of a pretrained network by a fresh one drawn from ``seed``,
    keeping the convolutional features. The authors' code re-initialises the classifier this
    way for fine-tuning; it is also what lets a network move between label sets (digits to letters)."""
    device = next(model.parameters()).device
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model.classifier = LeNet5.new_classifier(n_classes).to(device)
    return model


def forked_devices(device: torch.device) -> list[int]:
    """The CUDA devices whose RNG :func:`train` forks: the model's own, none on the CPU.

    Dropout on the model's GPU draws from that GPU's generator, so that one is forked (and
    seeded); forking ``torch.cuda.current_device()`` instead would seed another GPU's generator
    when the model is not on the current one. A bare ``cuda`` means the current device.
    """
    if device.type != "cuda":
        return []
    return [device.index if device.index is not None else torch.cuda.current_device()]


def train(
    model: nn.Module,
    images: np.ndarray,
    labels: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
) -> nn.Module:
    """Minimise cross-entropy with Adam over shuffled mini-batches (order drawn from ``seed``).

    Dropout draws from torch's global generator, which is seeded with ``seed`` inside a
    forked RNG state, so a run is reproducible and the caller's RNG is left untouched.
    """
    device = next(model.parameters()).device
    x, y = _tensor(images, device), torch.as_tensor(labels, device=device)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    with torch.random.fork_rng(devices=forked_devices(device)):
        torch.manual_seed(seed)
        with timings.measured(train_cost_step(device), len(x) * epochs):
            for _ in range(epochs):
                order = torch.randperm(len(x), generator=gen).to(device)
                for start in range(0, len(x), batch_size):
                    batch = order[start : start + batch_size]
                    loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
    return model


def train_cost_step(device: torch.device) -> str:
    """Name under which :func:`train` records its measured cost (:mod:`dsviz.runtime.timings`), per device type.

    Units are training images x epochs; pages scale the last measurement to a study's budget."""
    return f"lenet_train_{device.type}"


def estimate_train_seconds(image_epochs: float, device: torch.device) -> float | None:
    """Seconds LeNet-5 training of ``image_epochs`` (images x epochs) should take on ``device``, scaled from the
    last training measured there; None when none was."""
    return timings.estimate(train_cost_step(device), image_epochs)


@torch.no_grad()
def accuracy(model: nn.Module, images: np.ndarray, labels: np.ndarray, batch_size: int = 1024) -> float:
    """Fraction of ``images`` whose arg-max class equals the label."""
    device = next(model.parameters()).device
    model.eval()
    correct = 0
    for start in range(0, len(images), batch_size):
        x = _tensor(images[start : start + batch_size], device)
        pred = model(x).argmax(dim=1).cpu().numpy()
        correct += int((pred == labels[start : start + batch_size]).sum())
    return correct / len(images)


@torch.no_grad()
def predict_proba(model: nn.Module, images: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """N x C softmax outputs of ``model`` for uint8 ``images`` (standardised as in :func:`train`)."""
    device = next(model.parameters()).device
    model.eval()
    out = [
        torch.softmax(model(_tensor(images[s : s + batch_size], device)), dim=1).cpu().numpy()
        for s in range(0, len(images), batch_size)
    ]
    return np.concatenate(out) if out else np.zeros((0, 0))


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run with ``n`` intra-op CPU threads (restored afterwards); None leaves torch's setting."""
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
