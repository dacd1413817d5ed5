"""The one place where dsviz chooses a torch device."""

from __future__ import annotations

import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """Map ``auto|cpu|cuda`` (or a torch.device) to a concrete ``torch.device``.

    ``auto`` picks CUDA when a GPU is visible and the CPU otherwise; asking for
    ``cuda`` on a machine without one raises a ``ValueError`` with a clear message
    instead of failing deep inside torch.
    """
    if isinstance(device, torch.device):
        return device
    name = str(device).lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ValueError("device 'cuda' was requested but no CUDA GPU is visible to torch")
        return torch.device(name)
    raise ValueError(f"unknown device {device!r}; choose one of {', '.join(DEVICE_CHOICES)}")
