"""``python -m dsviz methods`` and ``python -m dsviz distance SRC TGT --method NAME``.

``methods --json`` prints ``{"methods": [{"name", "description", "source", "settings"}]}``;
``distance --json`` prints ``method``, ``value``, ``seconds``, ``settings``, ``n_src``,
``n_tgt``, ``split_used`` (and ``src``, ``tgt``, ``cache_hit``). Both are interfaces:
keys are only ever added.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import fields, replace

from dsviz import methods
from dsviz.commands.common import compare_datasets, comparison_keys, count_or_all
from dsviz.runtime.device import DEVICE_CHOICES


def add_parser(sub: argparse._SubParsersAction) -> None:
    listing = sub.add_parser("methods", help="the registered dataset-distance methods")
    listing.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    listing.set_defaults(run=run_methods)

    dist = sub.add_parser("distance", help="one registered method's distance between two datasets")
    dist.add_argument("src")
    dist.add_argument("tgt")
    dist.add_argument("--method", required=True, choices=methods.names())
    dist.add_argument(
        "--n", type=count_or_all, default=2000, help="samples per dataset, class-balanced (default 2000), or all"
    )
    dist.add_argument("--seed", type=int, default=0, help="sample seed (and the method's own seed, if it has one)")
    dist.add_argument("--split", choices=("train", "test"), default="train")
    dist.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    dist.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="one of the method's settings (see `methods`), e.g. --set n_projections=1000; repeatable",
    )
    dist.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    dist.set_defaults(run=run_distance)


def _settings(method: methods.Method, seed: int, overrides: list[str]):
    """The method's defaults with its seed (if any) and ``KEY=VALUE`` overrides, each cast to the field's type."""
    settings = method.with_seed(method.settings(), seed)
    types = {f.name: type(getattr(settings, f.name)) for f in fields(settings)}
    values = {}
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or key not in types:
            raise ValueError(f"--set {item!r}: {method.name} settings are {', '.join(types) or 'none'} (KEY=VALUE)")
        cast = types[key]
        values[key] = text.lower() in ("1", "true", "yes") if cast is bool else cast(text)
    return replace(settings, **values)


def run_methods(args: argparse.Namespace) -> int:
    listing = methods.summaries()
    if args.json:
        print(json.dumps({"methods": listing}))
        return 0
    for m in listing:
        settings = ", ".join(f"{k}={v}" for k, v in m["settings"].items()) or "no settings"
        print(f"{m['name']:14s} {m['description']}\n{'':14s} source: {m['source']}\n{'':14s} settings: {settings}")
    return 0


def run_distance(args: argparse.Namespace) -> int:
    method = methods.get(args.method)
    settings = _settings(method, args.seed, args.overrides)
    cmp = compare_datasets(method, args, settings, f"{args.method} {args.src} vs {args.tgt}")
    d = cmp.distance
    out = {
        "method": d.method,
        "value": d.value,
        "seconds": d.seconds,
        "settings": d.settings,
        "n_src": len(cmp.src.images),
        "n_tgt": len(cmp.tgt.images),
        **comparison_keys(args, cmp),
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{args.src} vs {args.tgt}: {d.method} {d.value:.6g}")
        print(f"  n = {out['n_src']} / {out['n_tgt']}, split used {cmp.split_used['src']} / {cmp.split_used['tgt']}")
        print(f"  {d.seconds:.2f} s compute{' (cached)' if cmp.cache_hit else ''}")
    return 0
