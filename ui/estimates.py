"""How pages say how long a computation will take, from measured costs (never a fixed number)."""

from __future__ import annotations

import torch


def device_name(device: torch.device) -> str:
    """``GPU`` or ``CPU``: the kind of device a computation runs on."""
    return "GPU" if device.type == "cuda" else "CPU"


def duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``1.5 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def time_estimate(seconds: float | None, device: torch.device) -> str:
    """A clause for a page: the estimate on this machine's device, or that there is none yet."""
    where = f"this machine's {device_name(device)}"
    if seconds is None:
        return f"no time estimate yet: its steps have not been measured on {where}"
    return f"about {duration(seconds)} on {where}, scaled from the last runs measured here"
