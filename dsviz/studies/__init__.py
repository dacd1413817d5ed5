"""Studies: the computations behind the app's figures.

Each module combines registered methods (:mod:`dsviz.methods`), engines and data into
one published figure's numbers (dataset pairs, closest matches, method agreement,
pixel statistics, the toy label-shuffle clouds, transfer studies, SimEx baselines,
one pixel), cached through :mod:`dsviz.runtime.cache`.
"""
