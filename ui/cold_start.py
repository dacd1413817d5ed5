"""Imported first by every page: the app's warm-up (:mod:`ui.warm_up`) starts before the page's own imports,
and a deep link on a fresh server goes through ``app.py`` before them.

On a freshly started server Streamlit runs a page opened by its link without ``app.py`` (its legacy
``pages/`` mode, see :mod:`ui.navigation`). Imported before the page's imports (torch, 1-2 s), this starts
the warm-up as early as a fresh server allows: the data files are decompressed on the second core while the
page imports, and full garbage collections wait until the libraries are loaded and frozen. It then sends
such a run through ``app.py`` at once (:func:`ui.navigation.require_app_navigation`), so the viewer sees
``app.py``'s loading status instead of a blank page while the imports run. That rerun interrupts this
import, so Python forgets the module and the next run imports it again: the warm-up starts once per server
whatever the number of imports, and the navigation check does nothing once ``app.py`` has run. Every other
run finds the module imported and does nothing.
"""

from ui.navigation import require_app_navigation
from ui.warm_up import start_warm_up

start_warm_up()
require_app_navigation()
