"""The authors' OTDD code at a pinned commit, for ``bench.otdd_reference``.

``python -m bench.reference_source`` writes github.com/microsoft/otdd at :data:`PINNED_COMMIT` into
:func:`default_folder` (or ``--out``), from a git repository holding that commit: ``--repo`` (a local clone or
mirror) or, by default, a fresh ``git clone`` of :data:`REPOSITORY`. The folder holds the source tree as
``git archive`` writes it and a file ``COMMIT`` with the commit, which ``bench.otdd_reference`` checks. The
reference runs in this project's Python (its module docstring says how), so no other environment is built.

Usage: ``python -m bench.reference_source [--repo /path/to/otdd/clone] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

REPOSITORY = "https://github.com/microsoft/otdd"
PINNED_COMMIT = "72f1b22d6c688e15db416194c9fe42262d927303"
"""The last commit of microsoft/otdd (2022-02-17, "fix bug with different devices on IncomparableDistance")."""


def default_folder() -> Path:
    """Where the pinned source is kept unless told otherwise: ``~/.cache/dsviz-bench/otdd-<commit[:12]>`` (beside, not inside, the app's cache)."""
    return Path.home() / ".cache" / "dsviz-bench" / f"otdd-{PINNED_COMMIT[:12]}"


def is_pinned_source(folder: Path) -> bool:
    """Whether ``folder`` holds the reference at :data:`PINNED_COMMIT` (its ``COMMIT`` file and package)."""
    stamp = folder / "COMMIT"
    return stamp.is_file() and stamp.read_text().strip() == PINNED_COMMIT and (folder / "otdd" / "pytorch").is_dir()


def write_source(repo: Path, out: Path) -> None:
    """``git archive`` of :data:`PINNED_COMMIT` from the git repository ``repo`` into ``out``, plus ``COMMIT``."""
    archive = subprocess.run(
        ["git", "--git-dir", str(_git_dir(repo)), "archive", "--format=tar", PINNED_COMMIT],
        capture_output=True,
        check=True,
    ).stdout
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(out, filter="data")
    (out / "COMMIT").write_text(PINNED_COMMIT + "\n")


def _git_dir(repo: Path) -> Path:
    """The git directory of ``repo``: ``repo/.git`` for a working clone, ``repo`` itself for a bare one."""
    return repo / ".git" if (repo / ".git").exists() else repo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repo", type=Path, help=f"a git clone or mirror holding the commit (default: clone {REPOSITORY})"
    )
    parser.add_argument("--out", type=Path, default=default_folder())
    args = parser.parse_args()
    if is_pinned_source(args.out):
        print(f"{args.out} already holds microsoft/otdd at {PINNED_COMMIT}")
        return
    if args.repo is not None:
        write_source(args.repo, args.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["git", "clone", "--quiet", REPOSITORY, tmp], check=True)
            write_source(Path(tmp), args.out)
    print(f"wrote microsoft/otdd at {PINNED_COMMIT} to {args.out}")


if __name__ == "__main__":
    main()
