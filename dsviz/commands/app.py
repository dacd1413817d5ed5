"""``python -m dsviz app [STREAMLIT OPTIONS]``: start the Streamlit app of this checkout.

The app (``app.py``, ``pages/``, ``ui/``) lives beside the ``dsviz`` package in the repository and is not
installed with it, so the command needs the checkout; ``pip install -e .`` from the checkout keeps it
reachable. Options after ``app`` go to ``streamlit run`` (e.g. ``--server.port 8502``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The folder above the ``dsviz`` package: the repository root in a checkout."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    app = sub.add_parser(
        "app",
        help="start the Streamlit app (needs the repository checkout); other options go to `streamlit run`",
    )
    app.set_defaults(run=run, passthrough=[])


def app_path() -> Path:
    """``app.py`` of the checkout holding this package; an OSError saying what to do when there is none."""
    repo = REPO
    app = repo / "app.py"
    if not (app.is_file() and (repo / "pages").is_dir() and (repo / "ui").is_dir()):
        raise OSError(
            f"the app needs the repository checkout (app.py, pages/, ui/ beside the dsviz package), "
            f"not found in {repo}: clone the repository and run `python -m streamlit run app.py` there, "
            f"or `pip install -e .` from the checkout"
        )
    return app


def command(app: Path, streamlit_args: list[str]) -> list[str]:
    """The ``streamlit run`` command line, run with this Python."""
    return [sys.executable, "-m", "streamlit", "run", str(app), *streamlit_args]


def launch(argv: list[str], cwd: Path) -> int:
    """Run ``argv`` in ``cwd`` as this very process on POSIX (``os.execv``: it never returns), so a signal sent
    to the command (Ctrl-C, a supervisor's terminate) reaches the server itself, which as a child would outlive
    a terminated parent; elsewhere as a child process, returning its exit status."""
    if os.name == "posix":
        os.chdir(cwd)
        os.execv(argv[0], argv)
    return subprocess.call(argv, cwd=cwd)


def run(args: argparse.Namespace) -> int:
    app = app_path()
    return launch(command(app, args.passthrough), app.parent)
