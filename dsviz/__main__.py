"""``python -m dsviz``: see :mod:`dsviz.cli`."""

from dsviz.cli import main

raise SystemExit(main())
