"""``python -m dsviz otdd SRC TGT``: OTDD and plain OT between two datasets.

``--json`` prints one object with at least ``otdd``, ``ot``, ``label_distances``,
``src_classes``, ``tgt_classes``, ``n_src``, ``n_tgt``, ``split_used`` and
``seconds`` (an interface: keys are only ever added). ``ot`` is computed unless ``--no-ot``
(then it is null): OTDD itself does not need it.
"""

from __future__ import annotations

import argparse
import json
import time

from dsviz.commands.common import compare_datasets, comparison_keys, count_or_all, settings_from_args
from dsviz.methods.otdd import OTDDSettings
from dsviz.otdd import LABEL_DISTANCE_CHOICES, OUTER_CHOICES
from dsviz.runtime.device import DEVICE_CHOICES


def add_parser(sub: argparse._SubParsersAction) -> None:
    otdd = sub.add_parser("otdd", help="OTDD and plain OT between two datasets (registered names or .npz paths)")
    otdd.add_argument("src")
    otdd.add_argument("tgt")
    otdd.add_argument(
        "--n", type=count_or_all, default=2000, help="samples per dataset, class-balanced (default 2000), or all"
    )
    otdd.add_argument("--seed", type=int, default=0)
    otdd.add_argument("--split", choices=("train", "test"), default="train")
    otdd.add_argument("--label-distance", choices=LABEL_DISTANCE_CHOICES, default="exact")
    otdd.add_argument(
        "--outer",
        choices=OUTER_CHOICES,
        default="auto",
        help="auto (default): exact up to 2000 x 2000 points, the authors' debiased Sinkhorn beyond",
    )
    otdd.add_argument(
        "--max-outer",
        type=count_or_all,
        default=10_000,
        help="at most this many points per side in the outer OT (default 10000, the authors' maxsamples), or all",
    )
    otdd.add_argument(
        "--eps", type=float, default=0.05, help="entropic regularisation relative to the mean cost (sinkhorn)"
    )
    otdd.add_argument("--no-debiased", dest="debiased", action="store_false")
    otdd.add_argument(
        "--no-ot", dest="plain_ot", action="store_false", help="skip the plain (feature-only) OT comparison"
    )
    otdd.add_argument("--normalize", choices=("mnist", "unit"), default="mnist")
    otdd.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    otdd.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    otdd.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    settings = settings_from_args(OTDDSettings, args)
    # one step per stage: features, label distances, outer problem, ...
    cmp = compare_datasets(f"otdd-{args.label_distance}", args, settings, f"OTDD {args.src} vs {args.tgt}")
    res = cmp.result
    res.options.update(n=args.n, seed=args.seed, tgt_seed=args.seed)
    seconds = time.perf_counter() - start
    if args.json:
        out = {
            **res.summary(),
            "ot": res.ot if args.plain_ot else None,
            **comparison_keys(args, cmp),
            "seconds": seconds,
            "compute_seconds": res.seconds,
        }
        print(json.dumps(out))
    else:
        plain = f"   OT {res.ot:.4f}" if args.plain_ot else ""
        print(f"{args.src} vs {args.tgt}: OTDD {res.otdd:.4f}{plain}")
        print(
            f"  n = {res.n_src} / {res.n_tgt}, split used {cmp.split_used['src']} / {cmp.split_used['tgt']}, "
            f"label distance {args.label_distance}, outer {args.outer}, debiased {args.debiased}"
        )
        print(f"  {seconds:.2f} s{' (cached)' if cmp.cache_hit else ''}")
    return 0
