"""Fingerprints: a digest of everything a value holds, for the keys of cached pages.

A page's cache key is made of the fingerprints of the values its template can read, so that any change to any
of them, however deep, gives a new key. Values are walked whole (every field of a dataclass, every item of a
container); a value that carries a `fingerprint` (the notes and the site compute theirs once) is taken at its
word; a function counts by its name, because the code it runs is in every key's salt, and a bound method by
its name and its object. Anything else is refused loudly rather than guessed at.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any

from markupsafe import Markup

from salvo.hashing import digest


class Fingerprints:
    """Fingerprints of values, each computed once for this object's life (values are held, so ids stay theirs;
    texts are known by their value)."""

    def __init__(self) -> None:
        self.known: dict[int, tuple[Any, str]] = {}
        self.texts: dict[str, str] = {}

    def __call__(self, value: Any) -> str:
        """The value's fingerprint."""
        kind = type(value)
        if kind is str:
            found = self.texts.get(value)
            if found is None:
                found = self.texts[value] = combine("str", value)  # one part after the name: any text will do
            return found
        if kind in SCALARS or isinstance(value, bool | int | float):
            return f"{type(value).__name__}:{value!r}"
        if isinstance(value, str):
            return combine("markup" if isinstance(value, Markup) else "str", value)
        held = self.known.get(id(value))
        if held is not None and held[0] is value:
            return held[1]
        fingerprint = self._walk(value)
        self.known[id(value)] = (value, fingerprint)
        return fingerprint

    def _walk(self, value: Any) -> str:
        """The fingerprint of a value that is not a plain scalar."""
        own = getattr(value, "fingerprint", None)
        if isinstance(own, str):
            return own
        if type(value) is dict or isinstance(value, Mapping):  # the commonest container first
            return combine("map", *(part for k, v in value.items() for part in (self(k), self(v))))
        if isinstance(value, dt.date | dt.datetime | dt.timezone | dt.timedelta):
            return combine(type(value).__name__, repr(value))
        if isinstance(value, bytes):
            return digest("bytes", value)
        if isinstance(value, list | tuple):
            return combine(type(value).__name__, *map(self, value))
        if isinstance(value, frozenset | set):
            return combine("set", *sorted(map(self, value)))
        if isinstance(value, Call):
            return combine("call", _name(value.function), *map(self, value.args))
        if isinstance(value, MethodType):
            return combine("method", _name(value.__func__), self(value.__self__))
        if isinstance(value, partial):
            return combine("partial", self(value.func), *map(self, value.args), self(value.keywords))
        if isinstance(value, FunctionType | BuiltinFunctionType | type) or hasattr(value, "__wrapped__"):
            return combine("function", _name(value))
        if dataclasses.is_dataclass(value):
            return combine(type(value).__qualname__, *(self(getattr(value, name)) for name in _fields(type(value))))
        raise TypeError(f"cannot fingerprint a {type(value).__qualname__}: give it a `fingerprint`")


SCALARS = {type(None), bool, int, float}


def combine(*parts: str) -> str:
    """A digest of parts that are digests, type names and reprs of scalars, none holding a NUL but the last when
    it follows a name alone (one hash call, not one per part as hashing.digest makes)."""
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


@cache
def _fields(kind: type) -> tuple[str, ...]:
    """The names of a dataclass's fields."""
    return tuple(f.name for f in dataclasses.fields(kind))


def _name(function: Callable[..., Any]) -> str:
    """A function's module and qualified name."""
    return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', repr(function))}"


@dataclass(frozen=True)
class Call:
    """A value not yet computed: function(*args), made only if a page that shows it has to be rendered, and
    fingerprinted by the function and its arguments (the function must read nothing else but the code and the
    configuration, which every key's salt holds)."""

    function: Callable[..., Any]
    args: tuple[Any, ...]

    def value(self) -> Any:
        """The value."""
        return self.function(*self.args)


def call(function: Callable[..., Any], *args: Any) -> Call:
    """function(*args), when it is needed."""
    return Call(function, args)
