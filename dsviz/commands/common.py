"""Argument types and progress output shared by the commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import TYPE_CHECKING, TypeVar

from tqdm import tqdm

from dsviz.runtime.progress import Progress

if TYPE_CHECKING:
    from dsviz.methods import Comparison, Method

T = TypeVar("T")


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def count_or_all(text: str) -> int | None:
    """argparse type for ``--n``: an integer >= 1, or ``all`` (None: every image)."""
    if text.strip().lower() == "all":
        return None
    return positive_int(text)


def note(message: str) -> None:
    """One progress line on stderr, written at once (``dsviz: message``): what a long command is doing now."""
    print(f"dsviz: {message}", file=sys.stderr, flush=True)


@contextmanager
def progress_bar(desc: str, unit: str = "it") -> Iterator[Progress]:
    """A ``progress(done, total, what)`` drawn as a tqdm bar on stderr when it is a terminal; otherwise (a log
    file, a pipe) one :func:`note` line each time ``done`` reaches a new whole number."""
    with tqdm(desc=desc, unit=unit, file=sys.stderr, disable=None) as bar:
        last = [-1]

        def progress(done: float, total: int, what: str = "") -> None:
            if bar.disable:
                if int(done) != last[0]:
                    last[0] = int(done)
                    note(f"{desc}: {int(done)}/{total} {what}".rstrip())
                return
            bar.total, bar.n = total, done
            bar.set_postfix_str(what, refresh=True)

        yield progress


def compare_datasets(method: str | Method, args: argparse.Namespace, settings, desc: str) -> Comparison:
    """:func:`dsviz.methods.compare` of ``args.src`` and ``args.tgt`` with the sample options every comparison
    command takes (``--n``, ``--seed``, ``--split``, ``--device``), its progress drawn by :func:`progress_bar`."""
    from dsviz import methods  # here: the light commands (app, datasets) import this module without torch

    with progress_bar(desc) as progress:
        return methods.compare(
            method,
            args.src,
            args.tgt,
            settings,
            n=args.n,
            seed=args.seed,
            split=args.split,
            device=args.device,
            progress=progress,
        )


def settings_from_args(settings: type[T], args: argparse.Namespace) -> T:
    """The settings dataclass ``settings`` with each field the command has an option of that name for taken
    from ``args``; the others keep their defaults."""
    return settings(**{f.name: getattr(args, f.name) for f in fields(settings) if hasattr(args, f.name)})


def comparison_keys(args: argparse.Namespace, cmp: Comparison) -> dict:
    """The ``--json`` keys every comparison command prints: ``split_used``, ``src``, ``tgt`` (as given) and
    ``cache_hit``."""
    return {"split_used": cmp.split_used, "src": args.src, "tgt": args.tgt, "cache_hit": cmp.cache_hit}
