"""A fleet of K LeNet-5-style convolutional autoencoders run as one batched model.

The member architecture follows SimEx (Hwang et al., 2020, §3 and Figure 2): a
LeNet-5 encoder (LeCun et al., 1998) for 28 x 28 grayscale images,

    conv 5x5 1->6 (pad 2) -> ReLU -> max-pool 2   28x28 -> 14x14
    conv 5x5 6->16        -> ReLU -> max-pool 2   14x14 -> 5x5
    dense 400 -> 120 -> ReLU -> dense 120 -> LATENT   (bottleneck)

and a mirrored decoder

    dense LATENT -> 120 -> ReLU -> dense 120 -> 400 -> ReLU -> reshape 16x5x5
    upsample x2 -> transposed conv 5x5 16->6 -> ReLU     5x5 -> 10x10 -> 14x14
    conv 5x5 6->4 (pad 2) -> pixel shuffle x2 -> sigmoid 14x14 -> 28x28

ending in a sigmoid because pixels are scaled to [0, 1]. The last layer is a
sub-pixel convolution (Shi et al., CVPR 2016), which is a stride-2 transposed
convolution computed at 14 x 14 instead of 28 x 28: on a CPU its backward pass
is about 2x faster than "upsample, then 5x5 conv at 28 x 28", with the same
receptive field.

Batching: member k of the fleet owns channel group k of every activation, so the
convolutions are grouped convolutions (``groups=K``) and the dense layers are one
batched matrix product (``torch.einsum`` over a K x in x out weight). A fleet
step costs one set of kernel launches for all K members instead of K sets, which
is what makes a per-class fleet cheap on a CPU and saturates a GPU. Members never
share parameters or gradients: the groups are independent, so training the fleet
with an element-wise optimizer (RMSprop) is exactly training K separate models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

LATENT = 84
"""Bottleneck width: LeNet-5's last hidden layer (F6) has 84 units."""


class GroupedLinear(nn.Module):
    """K independent dense layers: ``y[:, k] = x[:, k] @ W[k] + b[k]`` for x of shape (B, K, in)."""

    def __init__(self, members: int, in_features: int, out_features: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(members, in_features, out_features))
        self.bias = nn.Parameter(torch.empty(members, out_features))
        bound = 1.0 / math.sqrt(in_features)  # nn.Linear's default (Kaiming-uniform, a=sqrt(5)) bounds
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.einsum("bki,kio->bko", x, self.weight) + self.bias


class FleetAutoencoder(nn.Module):
    """K autoencoders evaluated together.

    Input and output have shape (B, K, 28, 28): ``x[:, k]`` is the batch that
    member k sees. To pass one set of images through every member, repeat it
    along dimension 1 (:meth:`reconstruct_all`).
    """

    def __init__(self, members: int, latent: int = LATENT) -> None:
        super().__init__()
        if members < 1:
            raise ValueError(f"a fleet needs at least one autoencoder, got {members}")
        k = members
        self.members = members
        self.latent = latent
        self.conv1 = nn.Conv2d(k, 6 * k, 5, padding=2, groups=k)
        self.conv2 = nn.Conv2d(6 * k, 16 * k, 5, groups=k)
        self.enc1 = GroupedLinear(k, 16 * 5 * 5, 120)
        self.enc2 = GroupedLinear(k, 120, latent)
        self.dec1 = GroupedLinear(k, latent, 120)
        self.dec2 = GroupedLinear(k, 120, 16 * 5 * 5)
        self.deconv1 = nn.ConvTranspose2d(16 * k, 6 * k, 5, groups=k)
        self.deconv2 = nn.Conv2d(6 * k, 4 * k, 5, padding=2, groups=k)
        # oneDNN's grouped convolutions run 1.5-2x faster on CPU in channels-last layout.
        self.to(memory_format=torch.channels_last)

    @torch.no_grad()
    def init_output_bias(self, pixel_means: Sequence[float]) -> None:
        """Start member k's sigmoid output at its training data's mean pixel: bias = logit(mean_k).

        Why: with the default bias 0 every member starts at a grey 0.5
        output, the MSE gradient of mostly black images pushes all output logits
        down at once, and RMSprop (whose step size does not shrink with the
        gradient) drove one MNIST member's logits to about -33 within its first
        epoch. There sigmoid'(z) ~ 1e-14 is below RMSprop's eps, so that member
        never moved again and output black for every input (Δ column constant
        between 10 and 50 epochs). Starting at the data mean removes that first
        push (the usual "initialise the last bias to the data mean"). Means are
        clipped to [0.02, 0.98] so the bias stays finite.
        """
        means = torch.as_tensor(np.clip(np.asarray(pixel_means, dtype=np.float64), 0.02, 0.98), dtype=torch.float32)
        if means.shape != (self.members,):
            raise ValueError(f"need one mean per member ({self.members}), got shape {tuple(means.shape)}")
        per_channel = torch.logit(means).repeat_interleave(4)  # 4 sub-pixel channels per member
        self.deconv2.bias.copy_(per_channel.to(self.deconv2.bias.device))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """(B, K, 28, 28) images in [0, 1] -> (B, K, latent) codes."""
        b, k = x.shape[:2]
        h = F.max_pool2d(F.relu(self.conv1(x.contiguous(memory_format=torch.channels_last))), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)  # (B, 16K, 5, 5), member-major channels
        h = h.reshape(b, k, 16 * 5 * 5)
        return self.enc2(F.relu(self.enc1(h)))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, K, latent) codes -> (B, K, 28, 28) reconstructions in [0, 1]."""
        b, k = z.shape[:2]
        h = F.relu(self.dec2(F.relu(self.dec1(z))))
        h = h.reshape(b, k * 16, 5, 5)
        h = F.relu(self.deconv1(F.interpolate(h, scale_factor=2)))  # 10x10 -> 14x14
        return torch.sigmoid(F.pixel_shuffle(self.deconv2(h), 2))  # (B, 4K, 14, 14) -> (B, K, 28, 28)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))

    def reconstruct_all(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 28, 28) images -> (B, K, 28, 28): each image through every member."""
        return self(images.unsqueeze(1).expand(-1, self.members, -1, -1))


def state_arrays(model: FleetAutoencoder) -> dict[str, np.ndarray]:
    """The model's state dict as float32 numpy arrays (what the cache stores)."""
    return {name: t.detach().cpu().numpy() for name, t in model.state_dict().items()}


def from_state_arrays(arrays: dict[str, np.ndarray], device: torch.device | str = "cpu") -> FleetAutoencoder:
    """Rebuild a fleet from :func:`state_arrays`; raises ``KeyError``/``ValueError`` on a mismatch."""
    members = int(arrays["conv1.bias"].shape[0]) // 6
    latent = int(arrays["enc2.bias"].shape[1])
    model = FleetAutoencoder(members, latent)
    try:
        model.load_state_dict({name: torch.from_numpy(np.asarray(a)) for name, a in arrays.items()})
    except RuntimeError as exc:  # missing/unexpected keys or shape mismatch
        raise ValueError(f"fleet weights do not fit the model: {exc}") from None
    return model.to(device).eval()
