"""One codec between a result dataclass and the named arrays of a cache entry (:mod:`dsviz.runtime.cache`).

:func:`encode` stores a dataclass instance as

* each field annotated ``np.ndarray``: a member of that name;
* each field annotated ``dict[str, np.ndarray]``: one member ``<field>/<key>`` per entry, in order;
* each field annotated with a dataclass: its arrays as members ``<field>/<name>``, its other fields as a
  JSON object under its name (a settings dataclass is just that object);
* each such field marked :data:`INLINE`: its members and JSON fields merged into its parent's, unprefixed;
* every other field (numbers, strings, lists, tuples, dicts): one JSON object in the member ``__meta__``.

so an entry stays readable with numpy and ``json`` alone. :func:`decode` rebuilds the instance from the
field annotations (tuples, nested dataclasses and ``float``/``int``/``str`` come back as annotated) and
raises ``KeyError``/``ValueError``/``TypeError`` on a malformed entry, which the cache treats as corrupt.
A dataclass checks its own invariants in ``__post_init__``, so a decoded value is checked like a computed one.

Why not pickle: entries are shared between the app, the CLI and the benchmarks and must load with
``allow_pickle=False``; why not a serialisation library: the values are a few arrays plus a dozen
scalars, and the npz layout is the on-disk format users already have.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

import numpy as np

META = "__meta__"
INLINE = {"codec": "inline"}
"""``field(metadata=INLINE)``: store a nested result dataclass's members beside its parent's."""

T = TypeVar("T")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _kind(cls: type, f: dataclasses.Field) -> str:
    hint = _hints(cls)[f.name]
    if f.metadata.get("codec") == "inline":
        return "inline"
    if dataclasses.is_dataclass(hint):
        return "nested"
    if hint is np.ndarray:
        return "array"
    if typing.get_origin(hint) is dict and typing.get_args(hint)[1:] == (np.ndarray,):
        return "arrays"
    return "json"


def to_json(value: Any) -> Any:
    """``value`` as plain JSON-ready values: dataclasses and mappings as dicts, sequences and arrays as lists,
    numpy scalars as Python numbers."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [to_json(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _split(value: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        kind = _kind(type(value), f)
        if kind == "inline":
            inner_arrays, inner_meta = _split(item)
            clash = (arrays.keys() & inner_arrays.keys()) | (meta.keys() & inner_meta.keys())
            if clash:
                raise ValueError(f"{type(value).__name__}.{f.name} repeats the names {sorted(clash)}")
            arrays.update(inner_arrays)
            meta.update(inner_meta)
        elif kind == "nested":
            inner_arrays, meta[f.name] = _split(item)
            arrays.update({f"{f.name}/{k}": v for k, v in inner_arrays.items()})
        elif kind == "array":
            arrays[f.name] = np.asarray(item)
        elif kind == "arrays":
            arrays.update({f"{f.name}/{k}": np.asarray(v) for k, v in item.items()})
        else:
            meta[f.name] = to_json(item)
    return arrays, meta


def encode(value: Any) -> dict[str, np.ndarray]:
    """The named arrays of a dataclass instance (see the module docstring); inverse of :func:`decode`."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        raise TypeError(f"encode takes a dataclass instance, got {type(value).__name__}")
    arrays, meta = _split(value)
    if META in arrays:
        raise ValueError(f"{type(value).__name__} has an array named {META!r}, which the codec reserves")
    arrays[META] = np.asarray(json.dumps(meta))
    return arrays


def _from_json(hint: Any, value: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        names = [f.name for f in dataclasses.fields(hint) if f.init]
        # A JSON array is read as the fields in order (how studies stored settings before this codec).
        items = dict(zip(names, value, strict=True)) if isinstance(value, list) else value
        return hint(**{k: _from_json(hints[k], v) for k, v in items.items()})
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        options = [a for a in args if a is not type(None)]
        return _from_json(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_from_json(args[0], v) for v in value)
        return tuple(_from_json(a, v) for a, v in zip(args, value, strict=True)) if args else tuple(value)
    if origin is list:
        return [_from_json(args[0], v) for v in value] if args else list(value)
    if origin is dict:
        return {k: _from_json(args[1], v) for k, v in value.items()} if args else dict(value)
    if hint in (float, int, str, bool):
        return hint(value)
    return value


def _build(cls: type[T], arrays: Mapping[str, np.ndarray], meta: Any) -> T:
    if not isinstance(meta, Mapping):
        raise ValueError(f"{cls.__name__}: the cache entry holds {type(meta).__name__} where an object belongs")
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        kind = _kind(cls, f)
        if kind == "inline":
            values[f.name] = _build(_hints(cls)[f.name], arrays, meta)
        elif kind == "nested":
            prefix = f"{f.name}/"
            inner = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
            values[f.name] = _build(_hints(cls)[f.name], inner, meta[f.name])
        elif kind == "array":
            values[f.name] = np.asarray(arrays[f.name])
        elif kind == "arrays":
            prefix = f"{f.name}/"
            values[f.name] = {k[len(prefix) :]: np.asarray(v) for k, v in arrays.items() if k.startswith(prefix)}
        elif f.name in meta:
            values[f.name] = _from_json(_hints(cls)[f.name], meta[f.name])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise KeyError(f"{cls.__name__}: the cache entry has no field {f.name!r}")
    return cls(**values)


def decode(cls: type[T], arrays: Mapping[str, np.ndarray]) -> T:
    """An instance of ``cls`` from :func:`encode`'s arrays; ``KeyError``/``ValueError``/``TypeError`` when malformed."""
    return _build(cls, arrays, json.loads(str(arrays[META])))


def decoder(cls: type[T]) -> Callable[[Mapping[str, np.ndarray]], T]:
    """``decode`` bound to ``cls``, for :meth:`dsviz.runtime.cache.Cache.get` and ``get_or_compute``."""

    def decode_cls(arrays: Mapping[str, np.ndarray]) -> T:
        return decode(cls, arrays)

    return decode_cls


__all__ = ["INLINE", "META", "decode", "decoder", "encode", "to_json"]
