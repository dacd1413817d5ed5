"""SimEx (Hwang et al., 2020): dataset similarity from a fleet of autoencoders, and AAD.

* :mod:`~dsviz.simex.model`: the LeNet-5-style autoencoder, K of them batched as one model;
* :mod:`~dsviz.simex.losses`: MSE and iSSIM = 1 - SSIM per sample;
* :mod:`~dsviz.simex.fleet`: training a fleet and the Δ matrix;
* :mod:`~dsviz.simex.aad`: autoencoder average distance;
* :mod:`~dsviz.simex.baseline`: mean pairwise sample MSE;
* :mod:`~dsviz.simex.ranking`: Spearman agreement of orderings;
* :mod:`~dsviz.simex.runs`: all of it by dataset name, cached.
"""

from dsviz.simex.aad import AADResult, compute_aad
from dsviz.simex.baseline import mean_pairwise_mse, sample_mse_matrix
from dsviz.simex.fleet import FleetRun, evaluate_delta, reconstruct, train_fleet
from dsviz.simex.losses import LOSSES, per_sample_loss, ssim
from dsviz.simex.model import FleetAutoencoder
from dsviz.simex.ranking import method_agreement, ordering_agreement, row_spearman, settling_curve

__all__ = [
    "LOSSES",
    "AADResult",
    "FleetAutoencoder",
    "FleetRun",
    "compute_aad",
    "evaluate_delta",
    "mean_pairwise_mse",
    "method_agreement",
    "ordering_agreement",
    "per_sample_loss",
    "reconstruct",
    "row_spearman",
    "sample_mse_matrix",
    "settling_curve",
    "ssim",
    "train_fleet",
]
