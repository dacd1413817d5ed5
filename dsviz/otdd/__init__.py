"""OTDD engine: label distances, outer OT, result object."""

from .engine import LABEL_DISTANCE_CHOICES, compute_otdd
from .label_distance import exact_label_distances, gaussian_label_distances
from .outer import OUTER_CHOICES
from .result import OTDDResult

__all__ = [
    "LABEL_DISTANCE_CHOICES",
    "OUTER_CHOICES",
    "OTDDResult",
    "compute_otdd",
    "exact_label_distances",
    "gaussian_label_distances",
]
