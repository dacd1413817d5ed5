"""Turn uint8 images into the flat float vectors the similarity methods work on."""

from __future__ import annotations

from typing import Literal

import numpy as np

MNIST_MEAN = 0.1307
"""MNIST training pixel mean on the [0, 1] scale."""

MNIST_STD = 0.3081
"""MNIST training pixel standard deviation on the [0, 1] scale."""

Normalization = Literal["mnist", "unit"]


def to_features(images: np.ndarray, normalize: Normalization = "mnist") -> np.ndarray:
    """Flatten uint8 N x H x W images into float32 N x (H * W) feature rows.

    Pixels are divided by 255. With ``normalize="mnist"`` they are then standardized
    as ``(x - 0.1307) / 0.3081``, the MNIST statistics that the OTDD authors' code
    applies to every one of these datasets; ``"unit"`` keeps them in [0, 1].
    """
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"expected uint8 N x H x W images, got {images.dtype} {images.shape}")
    if normalize not in ("mnist", "unit"):
        raise ValueError(f"unknown normalization {normalize!r}; choose 'mnist' or 'unit'")
    features = images.reshape(len(images), -1).astype(np.float32) / np.float32(255)
    if normalize == "mnist":
        features = (features - np.float32(MNIST_MEAN)) / np.float32(MNIST_STD)
    return features
