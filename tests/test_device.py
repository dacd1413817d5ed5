"""resolve_device: the one place a torch device is chosen; and the RNG train() forks is the model's device's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dsviz.nets import forked_devices, init_model, train
from dsviz.runtime.device import resolve_device


@pytest.fixture
def gpus(monkeypatch):
    """Pretend torch sees ``n`` GPUs (0: none)."""

    def see(n: int) -> None:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: n > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: n)

    return see


@pytest.mark.parametrize("name", ["gpu", "tpu", "cuda0", "mps:0", "", "cuda:x", "cuda:-1"])
def test_unknown_names_get_a_clear_error(gpus, name):
    gpus(2)
    with pytest.raises(ValueError, match="unknown device"):
        resolve_device(name)


def test_cuda_without_a_gpu_says_so(gpus):
    gpus(0)
    for name in ("cuda", "cuda:0", "CUDA"):
        with pytest.raises(ValueError, match="no CUDA GPU is visible"):
            resolve_device(name)


def test_cuda_n(gpus):
    gpus(2)
    assert resolve_device("cuda:1") == torch.device("cuda", 1)
    assert resolve_device(" Cuda:0 ") == torch.device("cuda", 0)
    assert resolve_device("cuda") == torch.device("cuda")
    with pytest.raises(ValueError, match="sees 2 GPU"):
        resolve_device("cuda:2")


def test_a_torch_device_passes_through(gpus):
    gpus(0)
    for dev in (torch.device("cpu"), torch.device("cuda", 3), torch.device("meta")):
        assert resolve_device(dev) is dev


def test_auto_and_cpu(gpus):
    gpus(0)
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device() == torch.device("cpu")
    assert resolve_device("CPU") == torch.device("cpu")
    gpus(1)
    assert resolve_device("auto") == torch.device("cuda")
    assert resolve_device("cpu") == torch.device("cpu")


def test_train_forks_the_rng_of_the_models_gpu(monkeypatch):
    """A model on cuda:1 while cuda:0 is current: the fork (and the seeded dropout) is cuda:1's."""
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    assert forked_devices(torch.device("cuda", 1)) == [1]
    assert forked_devices(torch.device("cuda")) == [0]
    assert forked_devices(torch.device("cpu")) == []


def test_train_forks_what_forked_devices_names(monkeypatch):
    model = init_model(0, torch.device("cpu"))
    seen = []
    real = torch.random.fork_rng

    def spy(devices=None, **kwargs):
        seen.append(devices)
        return real(devices=devices, **kwargs)

    monkeypatch.setattr(torch.random, "fork_rng", spy)
    images = np.random.default_rng(0).integers(0, 256, size=(8, 28, 28), dtype=np.uint8)
    train(model, images, np.arange(8) % 10, epochs=1, batch_size=4, lr=1e-3, seed=0)
    assert seen == [[]]


def test_train_leaves_the_callers_rng_alone_and_is_reproducible():
    images = np.random.default_rng(0).integers(0, 256, size=(16, 28, 28), dtype=np.uint8)
    labels = np.arange(16) % 10
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    runs = [
        train(init_model(0, torch.device("cpu")), images, labels, epochs=2, batch_size=4, lr=1e-3, seed=7)
        for _ in range(2)
    ]
    assert torch.equal(torch.random.get_rng_state(), before)
    for a, b in zip(runs[0].parameters(), runs[1].parameters(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_on_a_real_gpu():
    dev = resolve_device("auto")
    assert dev.type == "cuda"
    model = init_model(0, resolve_device("cuda:0"))
    assert forked_devices(next(model.parameters()).device) == [0]
