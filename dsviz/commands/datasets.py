"""``python -m dsviz datasets`` and ``download``: what is in the data folder, and fetching."""

from __future__ import annotations

import argparse
import json

from dsviz.data import DATASETS, DatasetInfo, availability, data_dir, download_dataset


def add_parser(sub: argparse._SubParsersAction) -> None:
    datasets = sub.add_parser("datasets", help="which datasets are in the data folder")
    datasets.add_argument("--json", action="store_true")

    datasets.set_defaults(run=run_datasets)

    download = sub.add_parser("download", help="download registered datasets into the data folder")
    download.add_argument(
        "names", nargs="+", metavar="name", choices=sorted(n for n, info in DATASETS.items() if not info.bundled)
    )
    download.set_defaults(run=run_download)


def provenance(info: DatasetInfo) -> str:
    """Where a dataset's images come from: the bundled package, or the download host."""
    if info.provenance:
        return info.provenance
    return "downloaded on first use from " + ", ".join(sorted({s.url.rsplit("/", 1)[0] + "/" for s in info.sources}))


def run_datasets(args: argparse.Namespace) -> int:
    status = availability()
    if args.json:
        print(
            json.dumps(
                {
                    "data_dir": str(data_dir()),
                    "datasets": {
                        name: {
                            "available": s.available,
                            "counts": s.counts,
                            "present_classes": list(s.present_classes),
                            "n_classes": s.n_classes,
                            "message": s.message,
                            "title": DATASETS[name].title,
                            "origin": s.origin,
                            "folder": s.folder,
                            "bundled": DATASETS[name].bundled,
                            "package": DATASETS[name].package or None,
                            "license": DATASETS[name].license,
                            "provenance": provenance(DATASETS[name]),
                        }
                        for name, s in status.items()
                    },
                }
            )
        )
        return 0
    print(f"data folder: {data_dir()}")
    for name, s in status.items():
        counts = ", ".join(f"{k} {v}" for k, v in s.counts.items()) or "missing"
        where = {"bundled": f"  [bundled: {DATASETS[name].package}]", "folder": "  [data folder]"}.get(s.origin, "")
        print(f"  {name:16s} {counts}{where}" + (f"  -- {s.message}" if s.message else ""))
        print(f"  {'':16s} licence: {DATASETS[name].license}")
        print(f"  {'':16s} source: {provenance(DATASETS[name])}")
    return 0


def run_download(args: argparse.Namespace) -> int:
    for name in args.names:
        for split, path in download_dataset(name, data_dir()).items():
            print(f"{name} {split}: {path}")
    return 0
