"""Make deep links work on a freshly started server.

Streamlit runs an app with a ``pages/`` folder in its legacy multipage mode
(each page file run on its own, navigation built from the folder) until the
entry script has called ``st.navigation`` once in the server process. So the
very first visitor who opens ``/label_shuffle`` directly would get that page
without ``app.py`` (no wide layout, the wrong sidebar). Every page calls
:func:`require_app_navigation` first: in legacy mode it switches the server to
``st.navigation`` mode and reruns, which then runs ``app.py`` and lands on the
same page (the URL is unchanged). ``app.py`` marks the session with
:data:`APP_RAN`; a session that has been through ``app.py`` is never rerun here
(AppTest resets Streamlit's flag before every run, and a rerun would drop a
button click).
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

APP_RAN = "_dsviz_app_ran"


def page_intro(title: str, caption: str) -> None:
    """A page's opening: :func:`require_app_navigation`, then its title and the caption that says what it shows."""
    require_app_navigation()
    st.title(title)
    st.caption(caption)


def mark_app_ran() -> None:
    """Called by ``app.py`` on every run."""
    st.session_state[APP_RAN] = True


def require_app_navigation() -> None:
    """Rerun through ``app.py`` when Streamlit ran this page in legacy mode."""
    if PagesManager.uses_pages_directory and not st.session_state.get(APP_RAN):
        PagesManager.uses_pages_directory = False
        st.rerun()
