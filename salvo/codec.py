"""Values <-> JSON text, for the cache: data only, so that reading a cache can never run code.

Plain JSON values stay as they are; tuples, dicts with any keys, bytes, dates and the dataclasses named in
CLASSES get a one-key tag. Decoding builds only those classes, field by field, and raises ValueError on
anything else, so a foreign or damaged entry is refused rather than believed.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import importlib
import json
from collections.abc import Mapping
from functools import cache
from typing import Any

# The dataclasses a cache may hold, by name; nothing else is ever built from a cache.
CLASSES = (
    "salvo.model:Incident", "salvo.model:ContextEvent", "salvo.model:Page", "salvo.model:Source",
    "salvo.model:When", "salvo.errors:Problem", "salvo.cache:Written",
)


def encode(value: Any) -> str:
    """A value as JSON text."""
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))


def decode(text: str | bytes) -> Any:
    """The value encoded in the text; ValueError if it is not what encode() makes."""
    try:
        return json.loads(text, object_hook=_tagged)  # the JSON module's C code does the walking
    except (KeyError, TypeError, IndexError, AttributeError, RecursionError) as error:
        raise ValueError(f"not a cached value: {error}") from None


def _plain(value: Any) -> Any:
    """The value as plain JSON data."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return {"t": [_plain(v) for v in value]}
    if isinstance(value, Mapping):
        return {"d": [[_plain(k), _plain(v)] for k, v in value.items()]}
    if isinstance(value, bytes):
        return {"b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"day": value.isoformat()}
    name = f"{type(value).__module__}:{type(value).__qualname__}"
    if name in CLASSES:
        return {"c": name, "f": [_plain(getattr(value, field)) for field in _class(name)[1]]}
    raise TypeError(f"the cache cannot hold a {type(value).__name__}")


def _tagged(data: dict[str, Any]) -> Any:
    """The value a tagged JSON object stands for (its contents already decoded); ValueError for anything else."""
    if len(data) != (2 if "c" in data else 1):
        raise ValueError("unknown JSON shape in the cache")
    tag, inner = next(iter(data.items())) if "c" not in data else ("c", data["f"])
    if tag in ("t", "d", "c") and type(inner) is not list:
        raise ValueError(f"the cache's {tag!r} holds no list")
    if tag == "t":
        return tuple(inner)
    if tag == "d":
        return {key: value for key, value in inner}
    if tag == "b":
        return base64.b64decode(inner, validate=True)
    if tag == "dt":
        return dt.datetime.fromisoformat(inner)
    if tag == "day":
        return dt.date.fromisoformat(inner)
    if tag == "c":
        return _build(data["c"], inner)
    raise ValueError("unknown tag in the cache")


def _build(name: str, values: list[Any]) -> Any:
    """An object of one of CLASSES with these field values, set as they were (computed fields included)."""
    cls, names = _class(name)
    if len(values) != len(names):
        raise ValueError(f"{name} has {len(names)} fields, the cache gives {len(values)}")
    obj = object.__new__(cls)
    for field, value in zip(names, values, strict=True):
        object.__setattr__(obj, field, value)
    return obj


@cache
def _class(name: str) -> tuple[type, tuple[str, ...]]:
    """One of CLASSES, imported, and the names of its fields; ValueError for any other name."""
    if name not in CLASSES:
        raise ValueError(f"the cache names a class it may not hold: {name}")
    module, _, qualname = name.partition(":")
    cls = getattr(importlib.import_module(module), qualname)
    return cls, tuple(f.name for f in dataclasses.fields(cls))
