"""A persistent cache of work that depends only on its inputs: parsed notes, rendered bodies and pages.

Every entry is keyed by a digest of exactly what produced it, salted with a digest of Salvo's own code,
templates and static files, so a change anywhere invalidates what it touches and nothing stale is served.
Entries not used by a build are dropped when it saves, so the cache never grows past one site's worth.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

CACHE_DIR = ".salvo-cache"
CACHE_FILE = "cache.pickle"
CODE = Path(__file__).resolve().parent


def digest(*parts: str | bytes) -> str:
    """A short hex digest of the parts, each length-prefixed so that boundaries count."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def code_digest(*folders: Path) -> str:
    """A digest of Salvo's own files and of the given folders' files (templates, static)."""
    return digest(_own_code(), *map(_folder_digest, folders))


@lru_cache(maxsize=1)
def _own_code() -> str:
    """Salvo's own files, read once per process: the code that runs is the code imported when it started."""
    return _folder_digest(CODE)


def _folder_digest(folder: Path) -> str:
    """A digest of every file under a folder (none if it is missing), names included."""
    parts: list[bytes] = []
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                parts += [path.relative_to(folder).as_posix().encode(), path.read_bytes()]
    return digest(*parts)


@dataclass(frozen=True)
class Packed:
    """A file's contents as the cache keeps them: compressed (a quarter of the size to load and save), with
    the digest and size that let the write stage compare them without unpacking."""

    digest: str
    size: int
    packed: bytes

    @classmethod
    def of(cls, data: bytes) -> Packed:
        """Pack contents."""
        return cls(digest(data), len(data), zlib.compress(data, 1))

    def unpack(self) -> bytes:
        """The contents."""
        return zlib.decompress(self.packed)


def unpacked(content: bytes | Packed) -> bytes:
    """Contents, unpacked if need be."""
    return content.unpack() if isinstance(content, Packed) else content


class Cache:
    """Kind -> key -> value, loaded from and saved to one file in `folder`; a missing or unreadable file is
    empty. One Cache used for several builds carries each build's entries to the next in memory, and a
    long-running server that says `persist=False` never spends time reading or writing the file."""

    def __init__(self, folder: Path | None, persist: bool = True) -> None:
        self.folder = folder
        self.path = folder / CACHE_FILE if folder and persist else None
        self.old: dict[str, dict[str, Any]] = {}
        self.new: dict[str, dict[str, Any]] = {}
        if self.path and self.path.is_file():
            try:
                with self.path.open("rb") as handle:
                    self.old = pickle.load(handle)
            except Exception:  # a damaged cache is only a slower build
                self.old = {}

    def get(self, kind: str, key: str) -> Any:
        """The cached value, kept for the next build; None when absent."""
        value = self.new.get(kind, {}).get(key)  # put by an earlier step, or by a build that failed
        if value is None:
            value = self.old.get(kind, {}).get(key)
        if value is not None:
            self.new.setdefault(kind, {})[key] = value
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        """Remember a value for the next build."""
        self.new.setdefault(kind, {})[key] = value

    def save(self) -> None:
        """Keep the entries this build used for the next one, and write them to the file atomically (unless
        they are exactly what the file holds: a build that changed nothing writes nothing)."""
        unchanged = self.new == self.old
        self.old, self.new = self.new, {}
        if not self.path or (unchanged and self.path.is_file()):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(self.old, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, self.path)


class NoCache(Cache):
    """A cache that remembers nothing (for `check` and tests of the uncached path)."""

    def __init__(self) -> None:
        super().__init__(None)

    def put(self, kind: str, key: str, value: Any) -> None:
        """Forget the value."""
