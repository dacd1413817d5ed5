"""dsviz: compute package behind the dataset-similarity app.

Pure compute: arrays in, arrays/dataclasses out. No Streamlit import anywhere
in this package (a test enforces it).
"""

__version__ = "0.1.0"
