"""One module per CLI command; each has ``add_parser(subparsers)`` that sets ``run``.

To add a command, write its module and list it in ``COMMANDS``.
"""

from dsviz.commands import app, datasets, distance, export, onepixel, otdd, precompute, simex

COMMANDS = [otdd, distance, datasets, precompute, onepixel, simex, export, app]
