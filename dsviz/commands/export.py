"""``python -m dsviz export FIGURE --out FILE.html``: one interactive figure as one offline HTML file.

The file is the figure's client-side component (:mod:`dsviz.figures`) with its data inlined;
it opens from ``file://`` with networking off. Figures: ``label-shuffle`` (the browser solves
every slider setting) and ``augmentations`` (every transformation and magnitude precomputed,
through the same cache as the app and ``precompute augment``).
``dataset-pairs`` (``--src --tgt --n --method [--datasets]``: the pair view with the distance matrix, every
pair's view inlined when the file stays within 10 MB, :mod:`dsviz.figures.pair_view`) and ``one-pixel DATASET``
(``--protocol``: the heatmap with its hover panel, :mod:`dsviz.figures.one_pixel`) are read from the same cache
as their pages.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dsviz.commands.common import positive_int
from dsviz.data.transforms import TRANSFORMS


def _label_shuffle(args: argparse.Namespace) -> tuple[str, dict, str, dict, dict]:
    from dsviz.figures.label_shuffle import label_shuffle_payload
    from dsviz.studies.toy import ToyPair

    pair = ToyPair(args.n, args.seed, args.rot_a, args.rot_b, args.shuffle_a, args.shuffle_b)
    settings = {"points per cloud": args.n, "seed": args.seed, **label_shuffle_payload(pair)["initial"]}
    provenance = {"data": "two toy 2-D clouds of two Gaussian blobs each (dsviz.studies.toy), drawn with the seed"}
    return (
        "label_shuffle",
        label_shuffle_payload(pair),
        "Label shuffle: OT ignores labels, OTDD does not",
        settings,
        provenance,
    )


def _augmentations(args: argparse.Namespace) -> tuple[str, dict, str, dict, dict]:
    from dsviz.figures.augmentations import augmentations_payload
    from dsviz.studies.augment_otdd import load_pair

    pair = load_pair(args.n, args.seed, source=args.source, target=args.target)
    total = sum(len(TRANSFORMS[t].grid) for t in args.transforms)
    done = 0

    def compute(transform: str, magnitude: float):
        nonlocal done
        from dsviz.studies.augment_otdd import transformed_otdd

        print(f"export: OTDD {done + 1}/{total}: {transform} {magnitude:g}", file=sys.stderr, flush=True)
        done += 1
        return transformed_otdd(transform, magnitude, n=args.n, seed=args.seed, pair=pair)

    payload = augmentations_payload(pair, args.transforms, n=args.n, seed=args.seed, compute=compute)
    src, tgt = pair
    settings = {"transformations": ", ".join(args.transforms), "images per side": args.n, "seed": args.seed}
    provenance = {
        "source": f"{src.name} ({src.split_used}, {len(src.labels)} class-balanced images, transformed)",
        "target": f"{tgt.name} ({tgt.split_used}, {len(tgt.labels)} images, fixed)",
        "distance": "OTDD, exact label distances and exact outer OT (registry method otdd-exact)",
    }
    return "augmentations", payload, f"Augmentations: {src.name} against {tgt.name}", settings, provenance


def _dataset_pairs(args: argparse.Namespace) -> tuple[str, dict, str, dict, dict]:
    from dsviz.figures.pair_view import export_pairs_payload
    from dsviz.studies.pairs import PairSettings

    if not args.src or not args.tgt:
        raise ValueError("dataset-pairs needs --src and --tgt (two dataset names)")
    settings = PairSettings(n=args.n, seed=args.seed, method=args.method)

    def progress(done: float, total: int, label: str) -> None:
        print(f"export: {100 * done / max(total, 1):3.0f}% {label}", file=sys.stderr, flush=True)

    payload = export_pairs_payload(args.src, args.tgt, settings, names=args.datasets, progress=progress)
    views = payload["views"]
    shown = {"pair": f"{args.src} → {args.tgt}", **vars(settings), "pair views in the file": len(views)}
    provenance = {
        f"{v['src']} → {v['tgt']}": f"{v['n_src']} + {v['n_tgt']} class-balanced images "
        f"({v['split_used']['src']} / {v['split_used']['tgt']} split), seed {args.seed}"
        for v in views
    }
    provenance["coupling"] = "OTDD, exact label distances (registry method otdd-exact unless an OTDD method is chosen)"
    provenance["embedding"] = "joint UMAP of both samples' pixels (dsviz.embedding, seeded)"
    return "pair_view", payload, f"Dataset pairs: {args.src} vs {args.tgt}", shown, provenance


def _one_pixel(args: argparse.Namespace) -> tuple[str, dict, str, dict, dict]:
    from dsviz.data import DATASETS
    from dsviz.figures.one_pixel import one_pixel_payload
    from dsviz.studies.onepixel import PROTOCOL_SENTENCES, one_pixel_dataset

    if not args.dataset:
        raise ValueError("one-pixel needs a DATASET (a registered name or .npz path)")
    run = one_pixel_dataset(args.dataset, protocol=args.protocol, seed=args.seed)
    title = DATASETS[args.dataset].title if args.dataset in DATASETS else args.dataset
    payload = one_pixel_payload({title: run.result}, split_used={title: run.split_used})
    res = run.result
    settings = {"dataset": args.dataset, "protocol": args.protocol, "seed": args.seed, "C": res.C}
    provenance = {
        "data": f"{title}: {res.n_fit:,} fitting / {res.n_val:,} held-out images ({run.split_used})",
        "protocol": PROTOCOL_SENTENCES[args.protocol],
    }
    return "one_pixel", payload, f"One pixel per class pair: {title}", settings, provenance


FIGURES = {
    "label-shuffle": _label_shuffle,
    "augmentations": _augmentations,
    "dataset-pairs": _dataset_pairs,
    "one-pixel": _one_pixel,
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("export", help="write one interactive figure as a self-contained HTML file")
    parser.add_argument("figure", choices=sorted(FIGURES))
    parser.add_argument("--out", type=Path, required=True, help="the .html file to write")
    parser.add_argument("--json", action="store_true", help="print {figure, out, bytes} as JSON")
    toy = parser.add_argument_group("label-shuffle")
    toy.add_argument(
        "--n",
        type=positive_int,
        default=None,
        help="points per cloud (200) / images per side (1000) / per dataset (dataset-pairs: 2000)",
    )
    toy.add_argument("--seed", type=int, default=0)
    toy.add_argument("--rot-a", type=float, default=0.0)
    toy.add_argument("--rot-b", type=float, default=0.0)
    toy.add_argument("--shuffle-a", type=float, default=0.0)
    toy.add_argument("--shuffle-b", type=float, default=0.0)
    aug = parser.add_argument_group("augmentations")
    aug.add_argument("--transforms", nargs="+", choices=list(TRANSFORMS), default=list(TRANSFORMS))
    aug.add_argument("--source", default="mnist")
    aug.add_argument("--target", default="usps")
    _add_pairs_arguments(parser)
    parser.set_defaults(run=run)


def _add_pairs_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``dataset-pairs`` and ``one-pixel`` (``--n`` and ``--seed`` are shared)."""
    parser.add_argument("dataset", nargs="?", help="one-pixel: a registered dataset name or .npz path")
    pairs = parser.add_argument_group("dataset-pairs")
    pairs.add_argument("--src", help="source dataset of the pair view")
    pairs.add_argument("--tgt", help="target dataset of the pair view")
    pairs.add_argument("--method", default="otdd-exact", help="the matrix's pairwise method (default otdd-exact)")
    pairs.add_argument(
        "--datasets", nargs="+", help="the matrix's datasets (default: the available pair datasets, as the page)"
    )
    onepixel = parser.add_argument_group("one-pixel")
    onepixel.add_argument("--protocol", default="heldout", help="heldout (default) or published")


def run(args: argparse.Namespace) -> int:
    from dsviz.figures import figure_html

    if args.n is None:
        args.n = {"label-shuffle": 200, "dataset-pairs": 2000}.get(args.figure, 1000)
    component, payload, title, settings, provenance = FIGURES[args.figure](args)
    text = figure_html(component, payload, title=title, settings=settings, provenance=provenance)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    size = args.out.stat().st_size
    if args.json:
        print(json.dumps({"figure": args.figure, "out": str(args.out), "bytes": size}))
    else:
        print(f"wrote {args.out} ({size / 1e6:.1f} MB): open it in a browser, no server needed")
    return 0
