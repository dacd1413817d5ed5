"""Runtime: what every layer above stands on.

Atomic writes and the on-disk result cache, in-flight locks, the shared job board,
the executor for grids of runs (local or Ray), progress reporting, the torch device
choice and the store of measured step timings. Imports nothing else from dsviz.
"""
