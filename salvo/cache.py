"""A persistent cache of work that depends only on its inputs: checked notes, timeline lines, and what each
page was rendered to (its digest and size: the output folder holds the contents).

Every entry is keyed by a digest of exactly what produced it, salted with a digest of Salvo's own code and
libraries, so a change anywhere invalidates what it touches and nothing stale is served. The cache is data,
never code: entries are JSON text (salvo/codec.py) in one SQLite file, written in one transaction, so a
crash or a second build at the same time leaves it whole. A file that cannot be read, or an entry that
does not decode, counts as absent, with one line of warning. Entries not used by a build are dropped when
it saves, so the cache never grows past one site's worth; a build that changed nothing writes nothing.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

from salvo import codec
from salvo.hashing import digest
from salvo.stamp import libraries_digest, walk

CODE = Path(__file__).resolve().parent
DATABASE = "cache.sqlite"
FORMAT = "salvo-cache 5"  # a cache written in another format is started afresh
TIMEOUT_SECONDS = 10  # how long a save waits for another build's save to finish


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
class Written:
    """What an output file was last rendered to, as the cache keeps it: the digest and size of its contents, which
    the output folder itself holds (the write stage checks that it still does, and a page is rendered again where
    it does not)."""

    digest: str
    size: int


@dataclass(frozen=True)
class Saved:
    """An entry's text as this process wrote it, known by its digest."""

    digest: str


def _same(stored: str | Saved | None, text: str) -> bool:
    """Whether an entry's text is as stored."""
    return stored == text if not isinstance(stored, Saved) else stored.digest == digest(text)


class Cache:
    """Kind -> key -> value, loaded from and saved to `folder`/cache.sqlite. One Cache used for several builds
    carries each build's entries to the next in memory, and a long-running server that says `persist=False`
    never reads or writes the file."""

    def __init__(self, folder: Path | None, persist: bool = True) -> None:
        self.folder = folder
        self.file = folder / DATABASE if folder and persist else None
        self.warned = False
        # The file's entries, as text (those this object wrote, by their digest: their values are in `old`).
        self.stored: dict[tuple[str, str], str | Saved] = dict(self._load()) if self.file else {}
        self.old: dict[str, dict[str, Any]] = {}  # the last build's values (decoded from `stored` when first asked)
        self.new: dict[str, dict[str, Any]] = {}  # what this build used or made
        self.made: set[tuple[str, str]] = set()  # what this build (or an earlier one of this Cache) put
        self.whole: set[str] = set()  # kinds this build keeps whole, used or not

    def get(self, kind: str, key: str) -> Any:
        """The cached value, kept for the next build; None when absent (or unreadable)."""
        value = self.new.get(kind, {}).get(key)  # put by an earlier step, or by a build that failed
        if value is None:
            value = self.old.get(kind, {}).get(key)
        if value is None and isinstance(text := self.stored.get((kind, key)), str):
            try:
                value = codec.decode(text)
            except ValueError as error:
                self.warn(f"an entry could not be read ({error})")
        if value is not None:
            self.new.setdefault(kind, {})[key] = value
        return value

    def keep(self, kind: str) -> None:
        """Keep every entry of a kind for the next build, as if this build had used them (without reading them):
        for work that a cached result made unneeded now, and that a later build will need again."""
        self.whole.add(kind)
        self.new[kind] = {**self.old.get(kind, {}), **self.new.get(kind, {})}

    def put(self, kind: str, key: str, value: Any) -> None:
        """Remember a value for the next build."""
        self.new.setdefault(kind, {})[key] = value
        self.made.add((kind, key))

    def save(self) -> None:
        """Keep the entries this build used for the next one: in the file, write those that changed and delete
        those it did not use, in one transaction (nothing at all when nothing changed)."""
        used, whole, self.old, self.new, self.whole = self.new, self.whole, self.new, {}, set()
        if not self.file:
            return
        kept = {(kind, key): value for kind, entries in used.items() for key, value in entries.items()}
        gone = [entry for entry in self.stored if entry not in kept and entry[0] not in whole]
        # What was read from the file and not made again is as the file has it: only the rest is encoded, an entry
        # at a time as it is written (a build that made everything anew never holds all of it as text at once),
        # and remembered by its digest.
        saved: dict[tuple[str, str], Saved] = {}

        def changed() -> Iterator[tuple[str, str, str]]:
            for entry, value in kept.items():
                if entry in self.made or entry not in self.stored:
                    text = codec.encode(value)
                    if not _same(self.stored.get(entry), text):
                        saved[entry] = Saved(digest(text))
                        yield (*entry, text)

        rows = changed()
        first = next(rows, None)
        if not gone and first is None:
            self.made = set()
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("DELETE FROM entries WHERE kind = ? AND key = ?", gone)
                db.executemany("INSERT OR REPLACE INTO entries (kind, key, value) VALUES (?, ?, ?)",
                               chain([first] if first else [], rows))
                db.execute("COMMIT")
            finally:
                db.close()
        except (sqlite3.Error, OSError) as error:
            self.warn(f"it could not be saved ({error}); the next build will redo the work")
            return
        self.stored = {**{entry: text for entry, text in self.stored.items() if entry[0] in whole},
                       **{entry: saved.get(entry) or self.stored[entry] for entry in kept}}
        self.made = set()

    def _load(self) -> dict[tuple[str, str], str]:
        """Every entry of the file, as text; none if the file is missing, foreign or damaged."""
        assert self.file is not None
        if not self.file.exists():
            return {}
        try:
            db = self._connect()
            try:
                return {(kind, key): value for kind, key, value in db.execute("SELECT kind, key, value FROM entries")}
            finally:
                db.close()
        except (sqlite3.Error, OSError) as error:
            self.warn(f"it could not be read ({error}); building without it")
            return {}

    def _connect(self) -> sqlite3.Connection:
        """The cache file, made if need be; one written in another format is emptied first."""
        assert self.file is not None
        db = sqlite3.connect(self.file, timeout=TIMEOUT_SECONDS, isolation_level=None)
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS entries (kind TEXT, key TEXT, value TEXT, PRIMARY KEY (kind, key))")
            row = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            if row is None or row[0] != FORMAT:
                db.execute("DELETE FROM entries")
                db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('format', ?)", (FORMAT,))
        except BaseException:
            db.close()
            raise
        return db

    def warn(self, what: str) -> None:
        """One line on stderr, once per cache, about a cache that could not be used as it is."""
        if not self.warned:
            print(f"Warning: the cache {self.file}: {what}.", file=sys.stderr)
            self.warned = True


class NoCache(Cache):
    """A cache that remembers nothing (for `check` and tests of the uncached path)."""

    def __init__(self) -> None:
        super().__init__(None)

    def put(self, kind: str, key: str, value: Any) -> None:
        """Forget the value."""
