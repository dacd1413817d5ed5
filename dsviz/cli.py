"""Command line: ``python -m dsviz {otdd,datasets,download} ...``.

Errors in the input (unreadable file, missing keys, mismatched lengths,
non-finite values, unknown options) exit with status 2 and one line on stderr,
never a traceback. The ``--json`` outputs are an interface: keys are only added.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from tqdm import tqdm

from .compare import compare_datasets
from .data import DATASETS, DataError, availability, data_dir, download_dataset
from .device import DEVICE_CHOICES
from .otdd import LABEL_DISTANCE_CHOICES, OUTER_CHOICES


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dsviz", description="Dataset similarity: compute and precompute.")
    sub = parser.add_subparsers(dest="command", required=True)

    otdd = sub.add_parser("otdd", help="OTDD and plain OT between two datasets (registered names or .npz paths)")
    otdd.add_argument("src")
    otdd.add_argument("tgt")
    otdd.add_argument("--n", type=_positive_int, default=2000, help="samples per dataset, class-balanced (default 2000)")
    otdd.add_argument("--seed", type=int, default=0)
    otdd.add_argument("--split", choices=("train", "test"), default="train")
    otdd.add_argument("--label-distance", choices=LABEL_DISTANCE_CHOICES, default="exact")
    otdd.add_argument("--outer", choices=OUTER_CHOICES, default="exact")
    otdd.add_argument("--eps", type=float, default=0.05, help="entropic regularisation relative to the mean cost (sinkhorn)")
    otdd.add_argument("--no-debiased", dest="debiased", action="store_false")
    otdd.add_argument("--normalize", choices=("mnist", "unit"), default="mnist")
    otdd.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    otdd.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    datasets = sub.add_parser("datasets", help="which datasets are in the data folder")
    datasets.add_argument("--json", action="store_true")

    download = sub.add_parser("download", help="download a registered dataset into the data folder")
    download.add_argument("name", choices=sorted(DATASETS))
    return parser


def _run_otdd(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    with tqdm(total=1, desc=f"OTDD {args.src} vs {args.tgt}", file=sys.stderr, disable=None) as bar:
        cmp = compare_datasets(
            args.src,
            args.tgt,
            n=args.n,
            seed=args.seed,
            split=args.split,
            normalize=args.normalize,
            label_distance=args.label_distance,
            outer=args.outer,
            eps=args.eps,
            debiased=args.debiased,
            device=args.device,
        )
        bar.update(1)
    res = cmp.result
    seconds = time.perf_counter() - start
    if args.json:
        out = res.summary()
        out.update(
            src=args.src,
            tgt=args.tgt,
            split_used=cmp.split_used,
            seconds=seconds,
            compute_seconds=res.seconds,
            cache_hit=cmp.cache_hit,
        )
        print(json.dumps(out))
    else:
        print(f"{args.src} vs {args.tgt}: OTDD {res.otdd:.4f}   OT {res.ot:.4f}")
        print(f"  n = {res.n_src} / {res.n_tgt}, split used {cmp.split_used['src']} / {cmp.split_used['tgt']}, "
              f"label distance {args.label_distance}, outer {args.outer}, debiased {args.debiased}")
        print(f"  {seconds:.2f} s{' (cached)' if cmp.cache_hit else ''}")
    return 0


def _run_datasets(args: argparse.Namespace) -> int:
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "otdd":
            return _run_otdd(args)
        if args.command == "datasets":
            return _run_datasets(args)
        download_dataset(args.name, data_dir())
        return 0
    except (DataError, ValueError, OSError, KeyError) as exc:
        print(f"dsviz: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dsviz: interrupted", file=sys.stderr)
        return 130
