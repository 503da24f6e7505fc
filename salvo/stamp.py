"""Whether the output folder still holds what a build would write, told without reading a note.

After a build, the stamp records a digest of the signatures (signature.py) of every file a build reads (site.toml,
content/, templates/, static/, Salvo's own code, templates and libraries), with the options and the day, and of
every file and folder of the output, as the write stage signed them when it wrote or checked them (a file added to
a folder changes the folder's signature). A later build whose signatures all match has nothing to do, and ends
there, as make and ninja do. Only signatures the settle rule trusts are recorded (signature.py).

Standard library only, so that a build with nothing to do imports nothing more.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

from salvo.signature import Signature, settled, signature, signed_path, two_seconds_ago

CACHE_DIR = ".salvo-cache"
STAMP_FILE = "stamp.json"
CODE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(CODE)  # Salvo's own templates/ and static/, which a site falls back on
LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3", "yaml")


class Signatures:
    """A running digest of file signatures, and whether every file signed had settled."""

    def __init__(self, *parts: str) -> None:
        self.hash = hashlib.blake2b(digest_size=20)
        self.settled_before = two_seconds_ago()
        self.settled = True
        self.add(*parts)

    def add(self, *parts: str) -> None:
        """Add text (a line per part)."""
        for part in parts:
            self.hash.update(f"{part}\n".encode("utf-8", "surrogatepass"))

    def file(self, path: str) -> None:
        """Sign one file or folder, or its absence."""
        signed = signature(path)
        if signed is None:
            self.add(f"{path}\0missing")
            return
        self.settled = self.settled and settled(signed, self.settled_before)
        self.add(signed_path(path, signed))

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


def outputs_digest(signatures: list[Signature | None]) -> str | None:
    """A digest of the signatures of the output's folders and files, in the order the stamp lists them; None if one
    is missing or not trusted."""
    return None if None in signatures else hashlib.blake2b(repr(signatures).encode(), digest_size=20).hexdigest()


def cache_folder(source: str) -> str | None:
    """Where the site's cache (and this stamp) is kept: .salvo-cache/ in the site, or when the site cannot be
    written (a read-only mount, a store), the user's cache folder, else nowhere (None: a build without a cache)."""
    local = os.path.join(source, CACHE_DIR)
    if os.access(local if os.path.isdir(local) else source, os.W_OK):
        return local
    name = hashlib.blake2b(os.path.realpath(source).encode("utf-8", "surrogateescape"), digest_size=10).hexdigest()
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    user = os.path.join(home, "salvo", name)
    try:
        os.makedirs(user, exist_ok=True)
    except OSError:
        return None
    return user if os.access(user, os.W_OK) else None


class Stamp:
    """The signatures of one build's inputs, taken before it reads them, against what the last build recorded."""

    def __init__(self, source: str, destination: str, options: str, cache: str | None) -> None:
        self.destination = destination
        self.file = os.path.join(cache, STAMP_FILE) if cache else None
        self.inputs, self.settled = inputs_digest(source, destination, options)

    def recorded(self) -> dict[str, Any] | None:
        """What the last build recorded (its note and file counts), if its inputs and outputs are as it left them."""
        if self.file is None:
            return None
        try:
            with open(self.file, encoding="utf-8") as handle:
                stamp = json.load(handle)
            if stamp["inputs"] != self.inputs:  # the outputs are looked at only then
                return None
            now = [signature(f"{self.destination}/{rel}") for rel in stamp["folders"] + stamp["paths"]]
            return stamp if outputs_digest(now) == stamp["outputs"] else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def record(self, notes: int, files: dict[str, Signature | None], folders: dict[str, Signature | None]) -> None:
        """Record a build whose output holds these files and folders, with the signatures the write stage took of
        them, if every input had settled and every signature is trusted; else forget the last."""
        if self.file is None:
            return
        with contextlib.suppress(OSError):
            os.remove(self.file)
        if not self.settled:
            return
        listed = {"folders": sorted(folders), "paths": sorted(files)}
        outputs = outputs_digest([folders[r] for r in listed["folders"]] + [files[r] for r in listed["paths"]])
        if outputs is None:
            return
        os.makedirs(os.path.dirname(self.file), exist_ok=True)
        temp = f"{self.file}.{os.getpid()}.tmp"
        with open(temp, "w", encoding="utf-8") as handle:
            json.dump({"inputs": self.inputs, "outputs": outputs, "notes": notes, **listed}, handle)
        os.replace(temp, self.file)
