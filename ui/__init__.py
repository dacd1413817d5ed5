"""Streamlit-side helpers shared by the pages: URL-bound widgets and plot builders.

``dsviz`` stays free of Streamlit; everything that touches widgets, layout or
figures for the app lives here or in ``pages/``.
"""
