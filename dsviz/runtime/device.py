"""The one place where dsviz chooses a torch device."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """Map ``auto|cpu|cuda|cuda:N`` (or a torch.device) to a concrete ``torch.device``.

    ``auto`` picks CUDA when a GPU is visible and the CPU otherwise; a ``torch.device`` is
    returned as it is. Asking for ``cuda`` (or ``cuda:N``) on a machine without that GPU, or
    for a name torch does not know, raises a ``ValueError`` with a clear message instead of
    failing deep inside torch.
    """
    import torch  # here, not at the top: importing torch takes seconds (the app's cold start)

    if isinstance(device, torch.device):
        return device
    name = str(device).strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda" or name.startswith("cuda:"):
        index = name.partition(":")[2]
        if index and not index.isdigit():
            raise ValueError(f"unknown device {device!r}: write cuda:N with N a GPU number, e.g. cuda:0")
        if not torch.cuda.is_available():
            raise ValueError(f"device {device!r} was requested but no CUDA GPU is visible to torch")
        if index and int(index) >= torch.cuda.device_count():
            raise ValueError(f"device {device!r} was requested but torch sees {torch.cuda.device_count()} GPU(s)")
        return torch.device(name)
    raise ValueError(f"unknown device {device!r}; choose one of {', '.join(DEVICE_CHOICES)} or cuda:N")
