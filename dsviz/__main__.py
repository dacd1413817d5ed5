"""``python -m dsviz``: see :mod:`dsviz.cli`."""

from .cli import main

raise SystemExit(main())
