"""Imported first by every page: the app's warm-up (:mod:`ui.warm_up`) starts before the page's own imports.

On a freshly started server Streamlit runs a page opened by its link without ``app.py`` (its legacy
``pages/`` mode, see :mod:`ui.navigation`): the page's imports (torch, 1-2 s) are the first app code that
runs, and only then does the page send the session through ``app.py``. Imported before them, this starts
the warm-up as early as a fresh server allows: the data files are decompressed on the second core while the
page imports, and full garbage collections wait until the libraries are loaded and frozen. Importing it
again (every other run) does nothing; ``app.py`` starts the same warm-up for a server whose first viewer
opens the overview.
"""

from ui.warm_up import start_warm_up

start_warm_up()
