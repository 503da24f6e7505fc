"""Whether the output folder still holds what a build would write, told without reading a note.

After a build, the stamp records a digest of the signatures (size, inode, modification and change times, as
git's index keeps them) of every file a build reads (site.toml, content/, templates/, static/, Salvo's own code,
templates and libraries), with the options and the day, and of every file the build wrote. A later build whose
signatures all match has nothing to do, and ends there, as make and ninja do. Only files that had not changed
for two seconds are trusted: a write in the same clock tick as the stat would leave a signature as it was.

Standard library only, so that a build with nothing to do imports nothing more.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

CACHE_DIR = ".salvo-cache"
STAMP_FILE = "stamp.json"
# A file is known by its signature only if it had not changed for this long when it was read: a write in the
# same clock tick as the read would leave the signature as it was.
SETTLED_NS = 2_000_000_000
CODE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(CODE)  # Salvo's own templates/ and static/, which a site falls back on
LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3", "yaml")


class Signatures:
    """A running digest of file signatures, and whether every file signed had settled."""

    def __init__(self, *parts: str) -> None:
        self.hash = hashlib.blake2b(digest_size=20)
        self.settled_before = time.time_ns() - SETTLED_NS
        self.settled = True
        self.add(*parts)

    def add(self, *parts: str) -> None:
        """Add text (a line per part)."""
        for part in parts:
            self.hash.update(f"{part}\n".encode("utf-8", "surrogatepass"))

    def file(self, path: str) -> None:
        """Sign one file, or its absence."""
        try:
            info = os.stat(path)
        except OSError:
            self.add(f"{path}\0missing")
            return
        self.settled = self.settled and info.st_ctime_ns < self.settled_before
        self.add(f"{path}\0{info.st_size}\0{info.st_ino}\0{info.st_mtime_ns}\0{info.st_ctime_ns}")

    def tree(self, folder: str) -> None:
        """Sign every file under a folder and every folder's name."""
        for here, dirs, names in walk(folder):
            self.add(f"{here}\0folders", *dirs)
            for name in names:
                self.file(os.path.join(here, name))

    def digest(self) -> str:
        """The digest so far."""
        return self.hash.hexdigest()


def walk(folder: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """os.walk in a fixed order, through links to folders as Jinja2 follows them (each real folder once, so a
    link back up ends there), without __pycache__."""
    seen = set()
    for here, dirs, names in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        if (real := os.path.realpath(here)) in seen:
            dirs[:], names = [], []
        seen.add(real)
        yield here, dirs, sorted(names)


def inputs_digest(source: str, destination: str, options: str) -> tuple[str, bool]:
    """A digest of what building `source` into `destination` with these options reads, and whether it settled."""
    signed = Signatures(sys.version, sys.executable, os.path.abspath(source), os.path.abspath(destination), options)
    for name in ("site.toml", "launch-sites.toml"):  # the configuration (config.CONFIG_FILE, sites.SITES_FILE)
        signed.file(os.path.join(source, name))
    for folder in (*(os.path.join(source, name) for name in ("content", "templates", "static")),
                   os.path.join(ROOT, "templates"), os.path.join(ROOT, "static"), CODE):
        signed.tree(folder)
    for folder in library_folders():
        signed.tree(folder)
    return signed.digest(), signed.settled


def library_folders() -> list[str]:
    """The folders of the libraries that turn notes into pages: an upgrade, which may render them differently,
    replaces their files."""
    specs = (importlib.util.find_spec(library) for library in LIBRARIES)
    return [folder for spec in specs if spec for folder in spec.submodule_search_locations or ()]


def libraries_digest() -> str:
    """A digest of the signatures of the libraries' files."""
    signed = Signatures()
    for folder in library_folders():
        signed.tree(folder)
    return signed.digest()


def outputs_digest(destination: str, paths: list[str]) -> tuple[str, bool]:
    """A digest of these files of the output folder as they are now, and whether they settled."""
    signed = Signatures(os.path.abspath(destination))
    for rel in paths:
        signed.file(os.path.join(destination, rel))
    return signed.digest(), signed.settled


class Stamp:
    """The signatures of one build's inputs, taken before it reads them, against what the last build recorded."""

    def __init__(self, source: str, destination: str, options: str) -> None:
        self.destination = destination
        self.file = os.path.join(source, CACHE_DIR, STAMP_FILE)
        self.inputs, self.settled = inputs_digest(source, destination, options)

    def recorded(self) -> dict[str, Any] | None:
        """What the last build recorded (its note and file counts), if its inputs and outputs are as it left them."""
        try:
            with open(self.file, encoding="utf-8") as handle:
                stamp = json.load(handle)
            same = stamp["inputs"] == self.inputs  # the outputs are looked at only then
            return stamp if same and outputs_digest(self.destination, stamp["paths"])[0] == stamp["outputs"] else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def record(self, notes: int, paths: list[str]) -> None:
        """Record a build that wrote these files, if every input and output had settled; else forget the last."""
        with contextlib.suppress(OSError):
            os.remove(self.file)
        if not self.settled:
            return
        outputs, settled = outputs_digest(self.destination, paths)
        if not settled:
            return
        os.makedirs(os.path.dirname(self.file), exist_ok=True)
        temp = f"{self.file}.{os.getpid()}.tmp"
        with open(temp, "w", encoding="utf-8") as handle:
            json.dump({"inputs": self.inputs, "outputs": outputs, "notes": notes, "paths": paths}, handle)
        os.replace(temp, self.file)
