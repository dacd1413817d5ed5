"""OTDD engine: label distances, outer OT, result object."""

from dsviz.otdd.engine import LABEL_DISTANCE_CHOICES, compute_otdd
from dsviz.otdd.label_distance import exact_label_distances, gaussian_label_distances
from dsviz.otdd.outer import OUTER_CHOICES
from dsviz.otdd.result import OTDDResult

__all__ = [
    "LABEL_DISTANCE_CHOICES",
    "OUTER_CHOICES",
    "OTDDResult",
    "compute_otdd",
    "exact_label_distances",
    "gaussian_label_distances",
]
