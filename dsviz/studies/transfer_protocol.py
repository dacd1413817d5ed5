"""The training protocol both transfer studies share (Alvarez-Melis & Fusi, NeurIPS 2020, Sec. 6).

A LeNet-5 (:mod:`dsviz.nets`) is pretrained on a source sample, its classifier replaced by a fresh one,
and the whole network fine-tuned on a small labeled target sample; the same network trained on that
sample alone, with the same epochs, optimiser and batch order, is the from-scratch arm.
:class:`TrainingBudget` holds the sizes and the budget of both phases (each study's config subclasses
it with its own defaults) and runs them; :func:`cached_accuracy` caches one run's test accuracy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from torch import nn

from dsviz.data import LabeledImages
from dsviz.nets import accuracy, train
from dsviz.runtime.cache import Cache

PROTOCOL = "otdd-lenet-reinit-head-seeded-dropout"
"""Tag of the training protocol in every run's cache key (bump it when the network or the
fine-tuning procedure changes, so older cached runs are not read back)."""


@dataclass(frozen=True)
class TrainingBudget:
    """Sizes and training budget of a transfer study.

    Attributes:
        pretrain_n: class-balanced source images to pretrain on.
        pretrain_epochs: epochs over them.
        finetune_per_class: target images per class for fine-tuning and for scratch.
        finetune_epochs: epochs over the target sample (both arms: the same budget).
        test_n: target test images to evaluate on (None: all of them).
        batch_size, lr: Adam mini-batch size and learning rate, in every phase.
        otdd_n: images per side for OTDD.
        seeds: one full repetition per seed.
    """

    pretrain_n: int = 10000
    pretrain_epochs: int = 3
    finetune_per_class: int = 100
    finetune_epochs: int = 5
    test_n: int | None = None
    batch_size: int = 64
    lr: float = 1e-3
    otdd_n: int = 1000
    seeds: tuple[int, ...] = tuple(range(10))

    def run_params(self) -> dict:
        """The fields that change one training run (not ``seeds`` or ``otdd_n``), and the protocol tag."""
        out = asdict(self)
        out.pop("seeds")
        out.pop("otdd_n")
        return {**out, "protocol": PROTOCOL}

    def pretrain(self, model: nn.Module, images: np.ndarray, labels: np.ndarray, seed: int) -> None:
        """Train ``model`` on the source sample (``pretrain_epochs``, batch order seeded by ``seed + 1``)."""
        self._train(model, images, labels, self.pretrain_epochs, seed + 1)

    def finetune(self, model: nn.Module, sample: LabeledImages, test: LabeledImages, seed: int) -> float:
        """Train ``model`` on the target ``sample`` (``finetune_epochs``, batch order seeded by ``seed``) and
        return its accuracy on ``test``: the whole of training from scratch, and the second phase of fine-tuning."""
        self._train(model, sample.images, sample.labels, self.finetune_epochs, seed)
        return accuracy(model, test.images, test.labels)

    def _train(self, model: nn.Module, images: np.ndarray, labels: np.ndarray, epochs: int, seed: int) -> None:
        train(model, images, labels, epochs=epochs, batch_size=self.batch_size, lr=self.lr, seed=seed)


def cached_accuracy(cache: Cache, function: str, params: dict, data_fp: str, compute: Callable[[], float]) -> float:
    """``compute()``'s test accuracy, stored in ``cache`` under ``function``, ``params`` and ``data_fp``."""
    value, _ = cache.get_or_compute(
        function, params, data_fp, compute, lambda v: {"value": np.asarray(v)}, lambda a: float(a["value"])
    )
    return value


__all__ = ["PROTOCOL", "TrainingBudget", "cached_accuracy"]
