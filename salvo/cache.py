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

from salvo.stamp import libraries_digest, walk

SHARDS = 64
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
    """Salvo's own files, read once per process (the code that runs is the code imported when it started), and
    its libraries' files as they were then (an upgrade may render the same note differently)."""
    return digest(_folder_digest(CODE), libraries_digest())


def _folder_digest(folder: Path) -> str:
    """A digest of every file under a folder (none if it is missing), names included, through links to folders."""
    parts: list[bytes] = []
    for here, _, names in walk(str(folder)):
        for name in names:
            path = Path(here, name)
            if path.is_file():
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
    """Kind -> key -> value, loaded from and saved to shard files in `folder`; a missing or unreadable shard is
    empty. Entries are spread over the shards by key, so a build that changed one note rewrites only the few
    shards its entries fall in. One Cache used for several builds carries each build's entries to the next in
    memory, and a long-running server that says `persist=False` never reads or writes the files."""

    def __init__(self, folder: Path | None, persist: bool = True) -> None:
        self.folder = folder
        self.files = folder if folder and persist else None
        self.old: dict[str, dict[str, Any]] = {}
        self.new: dict[str, dict[str, Any]] = {}
        self.shards: list[dict[str, dict[str, Any]]] = [{} for _ in range(SHARDS)]  # as the files hold them
        if self.files and self.files.is_dir():
            for n in range(SHARDS):
                try:
                    with (self.files / _shard_file(n)).open("rb") as handle:
                        self.shards[n] = pickle.load(handle)
                except Exception:  # a missing or damaged shard is only a slower build
                    continue
                for kind, entries in self.shards[n].items():
                    self.old.setdefault(kind, {}).update(entries)

    def get(self, kind: str, key: str) -> Any:
        """The cached value, kept for the next build; None when absent."""
        value = self.new.get(kind, {}).get(key)  # put by an earlier step, or by a build that failed
        if value is None:
            value = self.old.get(kind, {}).get(key)
        if value is not None:
            self.new.setdefault(kind, {})[key] = value
        return value

    def keep(self, kind: str) -> None:
        """Keep every entry of a kind for the next build, as if this build had used them: for work that a cached
        result made unneeded now, and that a later build will need again."""
        self.new[kind] = {**self.old.get(kind, {}), **self.new.get(kind, {})}

    def put(self, kind: str, key: str, value: Any) -> None:
        """Remember a value for the next build."""
        self.new.setdefault(kind, {})[key] = value

    def save(self) -> None:
        """Keep the entries this build used for the next one, and write each shard whose entries changed (a
        build that changed nothing writes nothing), atomically. Shards from different builds mix safely: every
        entry is keyed by what produced it, and the output manifests are checked against the folders."""
        self.old, self.new = self.new, {}
        if not self.files:
            return
        shards: list[dict[str, dict[str, Any]]] = [{} for _ in range(SHARDS)]
        for kind, entries in self.old.items():
            for key, value in entries.items():
                shards[_shard_of(key)].setdefault(kind, {})[key] = value
        self.files.mkdir(parents=True, exist_ok=True)
        for n, (before, after) in enumerate(zip(self.shards, shards, strict=True)):
            if before != after or not (self.files / _shard_file(n)).is_file():
                fd, temp = tempfile.mkstemp(dir=self.files, prefix=".tmp-")
                with os.fdopen(fd, "wb") as handle:
                    pickle.dump(after, handle, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temp, self.files / _shard_file(n))
        self.shards = shards


def _shard_of(key: str) -> int:
    """Which shard a key's entries go in (the same in every run, unlike hash())."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % SHARDS


def _shard_file(n: int) -> str:
    """A shard's file name in the cache folder."""
    return f"cache-{n:02x}.pickle"


class NoCache(Cache):
    """A cache that remembers nothing (for `check` and tests of the uncached path)."""

    def __init__(self) -> None:
        super().__init__(None)

    def put(self, kind: str, key: str, value: Any) -> None:
        """Forget the value."""
