"""Command line: ``python -m dsviz <command> ...`` (commands in :mod:`dsviz.commands`).

Errors in the input (unreadable file, missing keys, mismatched lengths,
non-finite values, unknown options) exit with status 2 and one line on stderr,
never a traceback. A grid whose tasks still fail after their retries exits with
status 1, naming each failed task on stderr (the finished ones are cached). The
``--json`` outputs are an interface: keys are only added.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dsviz.commands import COMMANDS
from dsviz.data import DataError
from dsviz.runtime.executor import GridFailed


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dsviz", description="Dataset similarity: compute and precompute.")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not hasattr(args, "passthrough"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if extra:
        args.passthrough = extra
    try:
        return args.run(args)
    except (DataError, ValueError, OSError, KeyError) as exc:
        print(f"dsviz: error: {exc}", file=sys.stderr)
        return 2
    except GridFailed as exc:
        for name, error in exc.failed.items():
            print(f"dsviz: task failed: {name}: {error}", file=sys.stderr)
        print(f"dsviz: error: {exc.args[0].split(':')[0]}; rerun to compute only what is missing", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("dsviz: interrupted", file=sys.stderr)
        return 130
