"""Datasets: the registry, loading and validation, downloading, and feature vectors."""

from dsviz.data.download import download_dataset
from dsviz.data.features import to_features
from dsviz.data.loading import DatasetStatus, LabeledImages, availability, load
from dsviz.data.registry import DATASETS, DataError, DatasetInfo, DatasetUnavailable, SourceFile, data_dir, get_info

__all__ = [
    "DATASETS",
    "DataError",
    "DatasetInfo",
    "DatasetStatus",
    "DatasetUnavailable",
    "LabeledImages",
    "SourceFile",
    "availability",
    "data_dir",
    "download_dataset",
    "get_info",
    "load",
    "to_features",
]
