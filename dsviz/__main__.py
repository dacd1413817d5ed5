"""``python -m dsviz``: see :mod:`dsviz.cli`.

The long commands say that they started before anything else happens: importing
torch, POT and SciPy (what :mod:`dsviz.cli` does first) takes seconds, tens of
seconds on a busy machine, and a silent terminal reads as a hang.
"""

import sys

LONG_COMMANDS = ("precompute", "simex", "onepixel")
"""Commands that run for minutes; each then reports its stages and tasks on stderr as it goes."""

if len(sys.argv) > 1 and sys.argv[1] in LONG_COMMANDS and not {"-h", "--help"} & set(sys.argv):
    print(f"dsviz {' '.join(sys.argv[1:3])}: starting (loading torch and POT)", file=sys.stderr, flush=True)

from dsviz.cli import main  # noqa: E402 - after the line above, on purpose

raise SystemExit(main())
