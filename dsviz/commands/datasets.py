"""``python -m dsviz datasets`` and ``download``: what is in the data folder, and fetching."""

from __future__ import annotations

import argparse
import json

from ..data import DATASETS, availability, data_dir, download_dataset


def add_parser(sub: argparse._SubParsersAction) -> None:
    datasets = sub.add_parser("datasets", help="which datasets are in the data folder")
    datasets.add_argument("--json", action="store_true")

    datasets.set_defaults(run=run_datasets)

    download = sub.add_parser("download", help="download a registered dataset into the data folder")
    download.add_argument("name", choices=sorted(DATASETS))
    download.set_defaults(run=run_download)


def run_datasets(args: argparse.Namespace) -> int:
    status = availability()
    if args.json:
        print(json.dumps({
            "data_dir": str(data_dir()),
            "datasets": {
                name: {"available": s.available, "counts": s.counts,
                       "present_classes": list(s.present_classes), "n_classes": s.n_classes,
                       "message": s.message}
                for name, s in status.items()
            },
        }))
        return 0
    print(f"data folder: {data_dir()}")
    for name, s in status.items():
        counts = ", ".join(f"{k} {v}" for k, v in s.counts.items()) or "missing"
        print(f"  {name:16s} {counts}" + (f"  -- {s.message}" if s.message else ""))
    return 0


def run_download(args: argparse.Namespace) -> int:
    for split, path in download_dataset(args.name, data_dir()).items():
        print(f"{args.name} {split}: {path}")
    return 0
