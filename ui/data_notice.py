"""One first-run behaviour for every page: a single notice about missing data, with a download button.

Each page calls :func:`data_notice` once with what it could not find. The notice
names the missing datasets, says what is shown instead (the bundled ``digits`` and
``mnist-5k`` need no download), gives the one command that fetches the missing ones,
and, when the download host answers, offers a button that fetches them here with a
progress bar. A failed or stopped download leaves nothing behind
(:func:`dsviz.data.download_dataset` removes what it created).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from dsviz.data import DATASETS, DataError, data_dir, download_dataset
from dsviz.data.download import reachable


@st.cache_data(ttl=300, show_spinner=False)
def _online(name: str) -> bool:
    """Whether ``name``'s download host answers (checked at most every 5 minutes)."""
    return reachable(name)


def downloadable(names: Sequence[str]) -> list[str]:
    """The registered, non-bundled datasets among ``names`` (derived ones map to MNIST)."""
    out: list[str] = []
    for name in names:
        base = name if name in DATASETS else ("mnist" if name.startswith("mnist-") else None)
        if base in DATASETS and not DATASETS[base].bundled and base not in out:
            out.append(base)
    return out


def fix_command(names: Sequence[str]) -> str:
    """The one command that fetches ``names``."""
    return "python -m dsviz download " + " ".join(downloadable(names))


def data_notice(
    missing: Mapping[str, str],
    partial: Mapping[str, str] | None = None,
    shown_instead: Sequence[str] = (),
    key: str = "data_notice",
) -> None:
    """Draw the page's one notice about missing (and partial) datasets, and a download button."""
    partial = partial or {}
    if not missing and not partial:
        return
    lines = []
    fetch = downloadable(list(missing))
    if missing:
        text = f"Not in the data folder (`{data_dir()}`): " + ", ".join(f"**{n}**" for n in missing) + "."
        if shown_instead:
            text += " Showing the bundled " + " and ".join(f"**{n}**" for n in shown_instead) + " instead."
        if fetch:
            text += f" To add them: `{fix_command(list(missing))}`, or set `DSVIZ_DATA_DIR` to a folder that has them."
        lines.append(text)
    if partial:
        lines.append("Partial: " + "; ".join(f"**{n}** {note}" for n, note in partial.items()) + ".")
    online = [name for name in fetch if _online(name)]
    if fetch and not online:
        lines.append("No network here, so nothing can be downloaded now.")
    st.info("  \n".join(lines), icon=":material/folder_off:")
    if online and st.button(f"Download {', '.join(online)}", key=f"{key}_download", icon=":material/download:"):
        _download(online)


def _download(names: list[str]) -> None:
    """Fetch ``names`` with a progress bar, then rerun the page; on failure say so (nothing is left behind)."""
    with st.status(f"Downloading {', '.join(names)}…", expanded=True) as status:
        bar = st.progress(0.0)
        for i, name in enumerate(names):

            def report(filename: str, done: int, total: int | None, i: int = i, name: str = name) -> None:
                share = done / total if total else 0.0
                size = f"{done / 1e6:.1f} of {total / 1e6:.1f} MB" if total else f"{done / 1e6:.1f} MB"
                bar.progress(min((i + share) / len(names), 1.0), text=f"{name}: {filename}, {size}")

            try:
                download_dataset(name, data_dir(), progress=False, report=report)
            except (DataError, OSError) as exc:
                status.update(label=f"Download of {name} failed; nothing was left behind", state="error")
                st.error(str(exc))
                return
        status.update(label="Downloaded", state="complete")
    st.rerun()
