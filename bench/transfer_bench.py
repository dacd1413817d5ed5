"""Benchmark: one transferability run (pretrain + fine-tune + test) and the whole-study estimate.

Times, in one process on the same data, ``finetune_accuracy`` (plain MNIST source)
and ``scratch_accuracy`` at the default :class:`dsviz.studies.transfer.TransferConfig`
with 1 and with 2 torch CPU threads (and on CUDA when present), and extrapolates
the default ``precompute transfer`` run: settings x seeds fine-tune runs plus
one scratch run per seed (OTDD per setting not included; about 1 s each).
Other processes sharing the CPU make these timings noisy.
Usage: ``DSVIZ_DATA_DIR=... python -m bench.transfer_bench [--repeats 2]``.
"""

from __future__ import annotations

import argparse
import time

import torch

from dsviz.nets import torch_threads
from dsviz.studies.transfer import DEFAULT_SETTINGS, TransferConfig, finetune_accuracy, load_seed_data, scratch_accuracy


def _time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2, help="best of N")
    args = parser.parse_args()
    config = TransferConfig()
    data = load_seed_data(config, 0)
    runs = [("cpu", 1), ("cpu", 2)] + ([("cuda", None)] if torch.cuda.is_available() else [])
    rows = []
    for device, threads in runs:
        dev = torch.device(device)
        with torch_threads(threads):
            ft = _time(lambda dev=dev: finetune_accuracy(DEFAULT_SETTINGS[0], config, data, dev), args.repeats)
            sc = _time(lambda dev=dev: scratch_accuracy(config, data, dev), args.repeats)
        study = len(DEFAULT_SETTINGS) * len(config.seeds) * ft + len(config.seeds) * sc
        rows.append(
            (f"{device}" + (f", {threads} thread{'s' if threads > 1 else ''}" if threads else ""), ft, sc, study)
        )
    base = rows[0][1]
    print(f"default config: {config}")
    print("| device | fine-tune run (s) | scratch run (s) | study estimate (min) | fine-tune speed vs cpu 1 thread |")
    print("|---|---|---|---|---|")
    for name, ft, sc, study in rows:
        print(f"| {name} | {ft:.2f} | {sc:.2f} | {study / 60:.1f} | {base / ft:.2f}x |")


if __name__ == "__main__":
    main()
