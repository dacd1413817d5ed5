"""``python -m dsviz simex DATASET...``: a SimEx fleet's Δ matrix (and optionally the method comparison).

``--per class`` (default): one autoencoder per class of one DATASET.
``--per dataset``: one autoencoder per DATASET (two or more; derived names
``mnist-rotated`` and ``mnist-background`` are accepted). ``--agreement`` also
computes what the method-agreement page shows for those datasets (SimEx-MSE,
SimEx-iSSIM, AAD, OTDD, sample MSE), so the page opens from the cache.

``--json`` prints one object with ``delta`` (list of lists: row i = the part
evaluated, column k = the autoencoder A(Y_k)), ``parts`` and ``seconds``, plus
``baseline`` (mean pairwise sample MSE, same layout), ``spearman`` (mean row
ordering ρ of Δ vs. the baseline), ``settling`` (ρ of each epoch's ordering vs.
the final one), ``notes`` (missing or partial data), ``cache_hit``, and with
``--agreement`` an ``agreement`` object (an interface: keys are only ever added),
and ``executor`` (``name`` and the grid's :meth:`~dsviz.runtime.executor.GridResult.summary`).

The fleet (and with ``--agreement`` every OTDD pair, the SimEx-MSE and
SimEx-iSSIM fleets and AAD) run as tasks of :mod:`dsviz.runtime.executor`
(``--executor local|ray``, ``--address``); the output is then read back from
the cache.

Also reported: ``untrained_members`` (names of members whose training loss never
fell below their mean image's; their columns are left out of every ordering),
``settling_baseline`` (Fig. 6a: ρ against the baseline after each epoch, over
the ``--repeats`` seeds: ``epochs``, ``mean``, ``std``, ``per_seed``, ``reference``),
``seed_stability`` / ``stable`` (mean ρ between the seeds' orderings), and
``retrain`` (``--retrain-baseline``, §5.1) or ``confusion`` (``--confusion-baseline``, §5.4).
Default epochs are the settled 50 of SimEx §5.2; ``--preview`` trains 10 (a fast preview).
The baselines are computed after the executor's grid, with the same cached functions the pages read.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, replace

import numpy as np

from dsviz.commands.common import count_or_all, positive_int
from dsviz.commands.grids import (
    FleetSpec,
    Training,
    agreement_tasks,
    fleet_parts,
    retrain_tasks,
    run_grid,
    simex_tasks,
)
from dsviz.runtime.device import DEVICE_CHOICES
from dsviz.runtime.executor import executor_arguments, executor_from_args
from dsviz.simex import LOSSES, ordering_agreement, runs, sample_mse_matrix, settling_curve
from dsviz.simex.ranking import STABLE_RHO, seed_stability
from dsviz.studies.agreement import compare_methods
from dsviz.studies.simex_baselines.confusion import confusion_baseline, mean_confusion_spearman
from dsviz.studies.simex_baselines.retrain import (
    TRAINED_SHARE,
    RetrainConfig,
    paper_order_check,
    retrain_baseline,
    spearman_per_base,
)
from dsviz.studies.simex_baselines.settling import finite_list, settling_against_baseline


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simex", help="SimEx: Δ matrix of a fleet of autoencoders (per class or per dataset)")
    p.add_argument(
        "datasets", nargs="+", metavar="DATASET", help="one dataset (--per class) or several (--per dataset)"
    )
    p.add_argument("--loss", choices=LOSSES, default="mse")
    p.add_argument("--per", choices=("class", "dataset"), default="class")
    p.add_argument(
        "--epochs",
        type=positive_int,
        default=None,
        help=f"default {runs.DEFAULT_EPOCHS} (settled, SimEx §5.2), or {runs.PREVIEW_EPOCHS} with --preview",
    )
    p.add_argument(
        "--preview", action="store_true", help=f"fast preview: {runs.PREVIEW_EPOCHS} epochs, orderings not settled"
    )
    p.add_argument(
        "--repeats",
        type=positive_int,
        default=1,
        help="train this many fleets (seeds SEED, SEED+1, ...) for error bars and the stability check",
    )
    p.add_argument(
        "--retrain-baseline",
        action="store_true",
        help="with --per dataset: the LeNet-5 transfer baseline of SimEx §5.1 (Table 1)",
    )
    p.add_argument(
        "--confusion-baseline",
        action="store_true",
        help="with --per class on a 10-class dataset: the leave-one-class-out baseline of SimEx §5.4 (Table 2)",
    )
    p.add_argument(
        "--n",
        type=count_or_all,
        default=runs.DEFAULT_N,
        help=f"training images per part (default {runs.DEFAULT_N}), or all",
    )
    p.add_argument(
        "--n-eval",
        type=positive_int,
        default=runs.DEFAULT_N_EVAL,
        help=f"held-out images per part (default {runs.DEFAULT_N_EVAL})",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    p.add_argument(
        "--agreement", action="store_true", help="with --per dataset: also compute every method of the agreement page"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    executor_arguments(p)
    p.set_defaults(run=run)


RETRAIN_CONFIG = RetrainConfig()
"""The retraining baseline's budget (SimEx §5.1's 5:1 split; see :class:`RetrainConfig`)."""

# ``--n all``: a count no dataset reaches, so every image of each part is used
# (class_parts/dataset_parts keep a fifth of a short part for evaluation).
ALL_IMAGES = 10**9


def _print_retrain(names: list[str], r: dict) -> None:
    """The retraining baseline's budget check and Table 1 under both normalisations."""
    c = r["config"]
    print(
        f"Retraining baseline: {c['n_train']} training / {c['n_test']} test images per dataset, "
        f"{c.get('base_epochs', c['epochs'])} epochs per base network, {c['epochs']} per FC retraining; "
        f"reference LeNet-5: {c['reference_n_train']} images, {c['reference_epochs']} epochs"
    )
    for n, base, ref, share in zip(names, r["base_accuracy"], r["reference_accuracy"], r["trained_share"]):
        verdict = "—" if share is None else ("trained" if share >= r["trained_threshold"] else "NOT trained")
        ref_s = "—" if ref is None else f"{ref:.3f}"
        share_s = "—" if share is None else f"{share:.1%}"
        print(f"  {n:>18s}: base {base:.3f}, reference {ref_s}, {share_s} of it: {verdict}")

    def row(values: list) -> str:
        return " ".join(f"{n}={'—' if v is None else f'{v:.2f}'}" for n, v in zip(names, values))

    print("Table 1, Spearman ρ per base dataset, SimEx vs. retraining:")
    print("  column ÷ base k's accuracy: " + row(r["spearman_per_base"]))
    print("  row ÷ accuracy of the network trained on D_i: " + row(r["spearman_per_base_by_data"]))
    for check in r["paper_orders"]:
        print(
            f"  order of base {check['base']}: paper {', '.join(check['paper'])}; by base {', '.join(check['by_base'])} "
            f"({check['by_base_positions_matching']}/5 positions); by data {', '.join(check['by_data'])} "
            f"({check['by_data_positions_matching']}/5 positions)"
        )


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    if args.n is None:
        args.n = ALL_IMAGES
    epochs = args.epochs or (runs.PREVIEW_EPOCHS if args.preview else runs.DEFAULT_EPOCHS)
    if args.per == "class":
        if len(args.datasets) != 1:
            raise ValueError("--per class takes exactly one DATASET")
        if args.agreement or args.retrain_baseline:
            raise ValueError("--agreement and --retrain-baseline compare datasets: use them with --per dataset")
        parts = runs.class_parts(args.datasets[0], n=args.n, n_eval=args.n_eval, seed=args.seed)
        if args.confusion_baseline and len(parts.names) != 10:
            raise ValueError("--confusion-baseline needs a dataset with all 10 classes present")
    else:
        if len(args.datasets) < 2:
            raise ValueError("--per dataset needs at least two DATASETs")
        if args.confusion_baseline:
            raise ValueError("--confusion-baseline compares classes: use it with --per class")
        parts = runs.dataset_parts(args.datasets, n=args.n, n_eval=args.n_eval, seed=args.seed)
    training = Training(args.n, args.n_eval, epochs, args.seed, args.device)
    specs = [
        FleetSpec(args.loss, tuple(args.datasets), args.per, replace(training, seed=args.seed + r))
        for r in range(args.repeats)
    ]
    tasks = [task for spec in specs for task in simex_tasks(spec)]
    if args.agreement:
        tasks += agreement_tasks(parts.names, training)
    if args.retrain_baseline:
        tasks += retrain_tasks(parts.names, RETRAIN_CONFIG, args.device)
    with executor_from_args(args) as executor:
        grid = run_grid(executor, tasks, "SimEx tasks")
    # Everything is in the cache now: these only read it back.
    fleets = []
    for spec, task in zip(specs, tasks, strict=False):
        seed = spec.training.seed
        seed_parts = parts if seed == args.seed else fleet_parts(spec)
        fleet, _ = runs.simex(seed_parts, args.loss, epochs, seed=seed, device=args.device)
        fleets.append((seed_parts, fleet, task.name in grid.cached))
    retrain = confusion = report = None
    if args.retrain_baseline:
        retrain, _ = retrain_baseline(parts.names, RETRAIN_CONFIG, device=args.device)
    if args.confusion_baseline:
        confusion, _ = confusion_baseline(args.datasets[0], device=args.device)
    if args.agreement:
        report = compare_methods(
            args.datasets, n=args.n, n_eval=args.n_eval, epochs=epochs, seed=args.seed, device=args.device
        )
    _, fleet, hit = fleets[0]
    ok = fleet.trained_mask
    baseline = sample_mse_matrix(parts.evaluate, parts.train)
    out = {
        "delta": fleet.delta.tolist(),
        "parts": list(parts.names),
        "seconds": time.perf_counter() - start,
        "train_seconds": fleet.seconds,
        "cache_hit": hit,
        "loss": args.loss,
        "per": args.per,
        "epochs": epochs,
        "preview": epochs < runs.DEFAULT_EPOCHS,
        "baseline": baseline.tolist(),
        "spearman": ordering_agreement(fleet.delta[:, ok], baseline[:, ok]) if ok.sum() >= 2 else None,
        "settling": settling_curve(fleet.history).tolist(),
        "untrained_members": [parts.names[k] for k in fleet.untrained_members],
        "notes": parts.notes,
        "executor": {"name": executor.name, **grid.summary()},
    }
    if retrain is not None:
        per_base = spearman_per_base(fleet.delta, retrain.accuracy, ok)
        out["retrain"] = {
            "accuracy": retrain.accuracy.tolist(),
            "spearman_per_base": finite_list(per_base),
            "spearman_sample_per_base": finite_list(spearman_per_base(baseline, retrain.accuracy)),
            "raw_accuracy": retrain.raw_accuracy.tolist(),
            "base_accuracy": retrain.base_accuracy.tolist(),
            "seconds": retrain.seconds,
            "accuracy_by_data": finite_list(retrain.accuracy_by_data),
            "spearman_per_base_by_data": finite_list(spearman_per_base(fleet.delta, retrain.accuracy_by_data, ok)),
            "spearman_sample_per_base_by_data": finite_list(spearman_per_base(baseline, retrain.accuracy_by_data)),
            "reference_accuracy": finite_list(retrain.reference_accuracy),
            "trained_share": finite_list(retrain.trained_share),
            "trained": retrain.trained.tolist(),
            "trained_threshold": TRAINED_SHARE,
            "config": asdict(retrain.config),
            "paper_orders": paper_order_check(retrain),
        }
    if confusion is not None:
        c_ok = ~np.isin(np.arange(len(ok)), fleet.untrained_members)
        masked = np.where(c_ok[None, :], fleet.delta, np.nan)
        out["confusion"] = {
            "matrix": finite_list(confusion.matrix),
            "spearman_simex": finite_list(mean_confusion_spearman(masked, confusion.matrix)),
            "spearman_sample": finite_list(mean_confusion_spearman(baseline, confusion.matrix)),
            "accuracy_9_class": confusion.accuracy.tolist(),
            "seconds": confusion.seconds,
        }
    out["settling_baseline"] = settling_against_baseline([(p, f) for p, f, _ in fleets], retrain, confusion)
    stability = seed_stability([f.delta for _, f, _ in fleets], [f.trained_mask for _, f, _ in fleets])
    out["seed_stability"] = finite_list(stability)
    out["stable"] = None if not np.isfinite(stability) else bool(stability >= STABLE_RHO)
    if report is not None:
        out["agreement"] = report.summary()
    if args.json:
        print(json.dumps(out))
        return 0
    width = max(len(p) for p in parts.names)
    print(
        f"SimEx Δ ({args.loss}, {epochs} epochs{', fast preview' if out['preview'] else ''}), rows = data evaluated, "
        "columns = autoencoder trained on:"
    )
    print(" " * (width + 2) + " ".join(f"{p[:8]:>8s}" for p in parts.names))
    for name, row in zip(parts.names, fleet.delta, strict=True):
        print(f"{name:>{width}s}  " + " ".join(f"{v:8.4f}" for v in row))
    if out["untrained_members"]:
        print(
            "warning: these autoencoders did not train (loss not below their mean image's) and are left out: "
            + ", ".join(out["untrained_members"])
        )
    if out["spearman"] is not None:
        print(f"Spearman ρ of row orderings, Δ vs. sample MSE: {out['spearman']:.3f}")
    sb = out["settling_baseline"]
    print(
        f"ρ vs. {sb['reference']} by epoch (mean over {len(fleets)} seed(s)): "
        + " ".join("—" if v is None else f"{v:.2f}" for v in sb["mean"])
    )
    if out["stable"] is False:
        print(
            f"warning: the orderings of the {len(fleets)} seeds agree only at ρ = {stability:.2f} (< {STABLE_RHO}): not stable"
        )
    if retrain is not None:
        _print_retrain(parts.names, out["retrain"])
    if confusion is not None:
        c = out["confusion"]
        print(
            f"Table 2, mean Spearman ρ vs. confusion: SimEx {c['spearman_simex']}, sample space {c['spearman_sample']}"
        )
    for dataset, note in parts.notes.items():
        print(f"note: {dataset}: {note}")
    if report is not None:
        print("Spearman ρ between the methods' orderings of dataset pairs:")
        for method, row in zip(out["agreement"]["methods"], out["agreement"]["spearman"], strict=True):
            print(f"{method:>12s}  " + " ".join(f"{v:6.2f}" for v in row))
    print(f"{out['seconds']:.1f} s{' (cached)' if hit else ''}")
    return 0
