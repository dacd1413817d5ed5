"""``.ci/run`` (the README's second command) on a machine other than this project's: run with stand-in
``python`` and ``apt-get`` that log their calls, so what it would install, download and test is visible."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Records each call and the CI variable it saw; fails a download when DOWNLOAD_FAILS is set.
FAKE_PYTHON = """#!/usr/bin/env bash
echo "CI=${CI:-} $*" >> "$CALLS"
case "$*" in "-m dsviz download"*) [ -z "${DOWNLOAD_FAILS:-}" ] || exit 1 ;; esac
exit 0
"""


def _run_ci(tmp_path: Path, data_dir: Path, **env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    clone = tmp_path / "clone"
    (clone / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "run", clone / ".ci" / "run")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("python", "apt-get"):
        (bin_dir / tool).write_text(FAKE_PYTHON)
        (bin_dir / tool).chmod(0o755)
    calls = tmp_path / "calls.log"
    run_env = {k: v for k, v in os.environ.items() if k != "CI"}
    run_env.update(PATH=f"{bin_dir}:{os.environ['PATH']}", CALLS=str(calls), DSVIZ_DATA_DIR=str(data_dir), **env)
    result = subprocess.run(["bash", str(clone / ".ci" / "run")], env=run_env, capture_output=True, text=True)
    return result, calls.read_text().splitlines() if calls.exists() else []


def test_without_the_data_folder_it_downloads_then_tests_with_ci_set(tmp_path):
    result, calls = _run_ci(tmp_path, tmp_path / "elsewhere" / "data")
    assert result.returncode == 0, result.stderr
    assert "CI=true -m dsviz download mnist fashion-mnist usps emnist-letters" in calls
    assert calls[-1] == "CI=true -m pytest -q"  # the README's test command, browser tests may not skip


def test_a_failed_download_stops_with_what_to_do(tmp_path):
    result, calls = _run_ci(tmp_path, tmp_path / "data", DOWNLOAD_FAILS="1")
    assert result.returncode == 1
    assert "Point DSVIZ_DATA_DIR at a folder" in result.stderr
    assert not any("pytest" in call for call in calls)


def test_an_existing_data_folder_is_used_as_it_is(tmp_path):
    (tmp_path / "data").mkdir()
    result, calls = _run_ci(tmp_path, tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert not any("download" in call for call in calls) and calls[-1] == "CI=true -m pytest -q"
